namespace LeakScope.Allocator.MisuseTarget;

/// <summary>
/// One way to misuse the allocator: how the bad pointer is arranged, the offending call, what the
/// allocator must report, and how to give back whatever is still live afterwards. Under
/// <see cref="MisusePolicy.Throw"/> the heap is left untouched, so more remains live than under
/// <see cref="MisusePolicy.Report"/>, which frees (or migrates) the block where it can.
/// </summary>
public sealed class MisuseScenario
{
    private readonly Func<Victim> _arrange;
    private readonly Func<Victim, nint> _misuse;
    private readonly Action<Victim> _cleanUpAfterThrow;
    private readonly Action<Victim, nint> _cleanUpAfterReport;

    public MisuseScenario(
        string name,
        MisuseKind kind,
        AllocationFamily blockFamily,
        AllocationFamily callerFamily,
        string misuseMember,
        Func<Victim> arrange,
        Func<Victim, nint> misuse,
        Action<Victim> cleanUpAfterThrow,
        Action<Victim, nint> cleanUpAfterReport)
    {
        Name = name;
        Kind = kind;
        BlockFamily = blockFamily;
        CallerFamily = callerFamily;
        MisuseMember = misuseMember;
        _arrange = arrange;
        _misuse = misuse;
        _cleanUpAfterThrow = cleanUpAfterThrow;
        _cleanUpAfterReport = cleanUpAfterReport;
    }

    /// <summary>The command-line name, e.g. <c>double-free-small-raw</c>.</summary>
    public string Name { get; }

    public MisuseKind Kind { get; }

    /// <summary>The family that allocated the block, or <see cref="AllocationFamily.Unknown"/> when no heap owns the pointer.</summary>
    public AllocationFamily BlockFamily { get; }

    /// <summary>The family whose function commits the misuse.</summary>
    public AllocationFamily CallerFamily { get; }

    /// <summary>The member that commits the misuse: the site the misuse event and message name.</summary>
    public string MisuseMember { get; }

    /// <summary>The family a misuse is charged to in <see cref="HeapSnapshot.For"/>: the block's when known, else the caller's.</summary>
    public AllocationFamily ChargedFamily => BlockFamily != AllocationFamily.Unknown ? BlockFamily : CallerFamily;

    public Victim Arrange() => _arrange();

    /// <summary>Commits the misuse; returns what a realloc returned (0 for a free).</summary>
    public nint Misuse(Victim victim) => _misuse(victim);

    /// <summary>Gives back what is live after the policy threw and left the heap untouched.</summary>
    public void CleanUpAfterThrow(Victim victim) => _cleanUpAfterThrow(victim);

    /// <summary>Gives back what is live after the policy reported and carried on.</summary>
    public void CleanUpAfterReport(Victim victim, nint reallocResult) => _cleanUpAfterReport(victim, reallocResult);

    public override string ToString() => Name;
}
