namespace LeakScope.Allocator;

/// <summary>Thrown for a caught misuse when <see cref="MisusePolicy.Throw"/> is in force.</summary>
public sealed class AllocatorMisuseException : InvalidOperationException
{
    internal AllocatorMisuseException(MisuseKind kind, AllocationFamily blockFamily, AllocationFamily callerFamily, long allocationId, nint address, string message)
        : base(message)
    {
        Kind = kind;
        BlockFamily = blockFamily;
        CallerFamily = callerFamily;
        AllocationId = allocationId;
        Address = address;
    }

    /// <summary>What was done wrong: a double free, a free through the wrong family, an address no heap handed out, ….</summary>
    public MisuseKind Kind { get; }

    /// <summary>The family that allocated the block, or <see cref="AllocationFamily.Unknown"/> when no heap owns it.</summary>
    public AllocationFamily BlockFamily { get; }

    /// <summary>The family whose function was called.</summary>
    public AllocationFamily CallerFamily { get; }

    /// <summary>The block's allocation id, or 0 when the pointer is unknown.</summary>
    public long AllocationId { get; }

    /// <summary>The address passed to the allocator.</summary>
    public nint Address { get; }
}
