namespace LeakScope.Tracer.Analysis;

/// <summary>What the engine saw, for the report's diagnostics section.</summary>
public sealed record AnalysisStatistics(
    long Records,
    long SitesDefined,
    long RundownBlocks,
    long Heartbeats,
    long MisuseEvents,
    long UnknownMisuseKinds,
    long FreedBeforeRundown,
    long FreedBeforeRundownBytes,
    long OutOfOrderResolved,
    long DuplicateAllocations,
    long DuplicateFrees,
    long UndefinedSites);
