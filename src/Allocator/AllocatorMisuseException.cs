namespace LeakScope.Allocator;

/// <summary>Thrown for a caught misuse when <see cref="MisusePolicy.Throw"/> is in force.</summary>
public sealed class AllocatorMisuseException : InvalidOperationException
{
    public AllocatorMisuseException(MisuseKind kind, AllocationFamily blockFamily, AllocationFamily callerFamily, long allocationId, nint address, string message)
        : base(message)
    {
        Kind = kind;
        BlockFamily = blockFamily;
        CallerFamily = callerFamily;
        AllocationId = allocationId;
        Address = address;
    }

    public MisuseKind Kind { get; }

    /// <summary>The family that allocated the block, or <see cref="AllocationFamily.Unknown"/> when no heap owns it.</summary>
    public AllocationFamily BlockFamily { get; }

    /// <summary>The family whose function was called.</summary>
    public AllocationFamily CallerFamily { get; }

    /// <summary>The block's allocation id, or 0 when the pointer is unknown.</summary>
    public long AllocationId { get; }

    public nint Address { get; }
}
