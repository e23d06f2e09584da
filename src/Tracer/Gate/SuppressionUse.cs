namespace LeakScope.Tracer.Gate;

/// <summary>How many findings one suppression matched.</summary>
public sealed record SuppressionUse(Suppression Suppression, long Matched);
