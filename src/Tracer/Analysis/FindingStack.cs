namespace LeakScope.Tracer.Analysis;

/// <summary>
/// One call stack of a finding, innermost frame first: how many of the finding's blocks (or incidents) came from it and
/// their bytes. <see cref="Estimated"/>: the figures are scaled from byte samples (unbiased, not exact).
/// </summary>
public sealed record FindingStack(IReadOnlyList<CallFrame> Frames, long Count, long Bytes, bool Estimated);
