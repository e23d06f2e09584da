using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Gate;

/// <summary>A finding a suppression matched (the first in file order).</summary>
public sealed record SuppressedFinding(Finding Finding, Suppression By);
