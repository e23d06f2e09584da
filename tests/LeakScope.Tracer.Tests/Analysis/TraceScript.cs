using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

/// <summary>
/// GIVEN a synthetic LeakScope-Allocator stream (built fluently, in the order the tracer would read it)
/// WHEN the engine consumes it THEN inspect the result. Sites 1..n are defined on demand as Program.cs:line.
/// </summary>
internal sealed class TraceScript
{
    private readonly List<Action<ITraceRecordSink>> _steps = new();
    private long _sequence;

    public static TraceScript Given() => new();

    public IReadOnlyList<Action<ITraceRecordSink>> Steps => _steps;

    public TraceScript Site(int id, int line, string member = "Main", string file = "/src/App/Program.cs") =>
        Add(s => s.On(new SiteDefined(new SiteId(id), file, line, member)));

    public TraceScript Alloc(long id, long size, int site, HeapFamily family = HeapFamily.Pool) =>
        Add(s => s.On(new BlockAllocated(new AllocationId(id), 0x1000 + id * 16, size, new SiteId(site), family)));

    public TraceScript Free(long id, long size, int freeSite, HeapFamily family = HeapFamily.Pool) =>
        Add(s => s.On(new BlockFreed(new AllocationId(id), 0x1000 + id * 16, size, new SiteId(freeSite), family)));

    /// <summary>A free as a batch record carries it: the id only.</summary>
    public TraceScript FreeId(long id) =>
        Add(s => s.On(new BlockFreed(new AllocationId(id), 0, 0, default, HeapFamily.Unknown)));

    /// <summary>Folded alloc/free pairs (batch record tag 4).</summary>
    public TraceScript Folded(int site, long count, long bytes, HeapFamily family = HeapFamily.Pool) =>
        Add(s => s.On(new AllocationsFolded(new SiteId(site), family, count, bytes)));

    public TraceScript Realloc(long oldId, long oldSize, long newId, long newSize, int site, HeapFamily family = HeapFamily.Raw) =>
        Add(s => s.On(new BlockReallocated(new AllocationId(oldId), 0x1000, oldSize, family, new AllocationId(newId), 0x2000, newSize, family, new SiteId(site))));

    public TraceScript Misuse(MisuseKind kind, HeapFamily blockFamily, HeapFamily callerFamily, long id, long size, int site, int allocationSite) =>
        Add(s => s.On(new MisuseReported(kind, blockFamily, callerFamily, new AllocationId(id), 0x1000 + id * 16, size, new SiteId(site), new SiteId(allocationSite))));

    /// <summary>A high-rate batch header: the block records that follow are batch <paramref name="sequence"/> of <paramref name="writer"/>.</summary>
    public TraceScript Batch(long writer, long sequence) => Add(s => s.On(new BatchStarted(writer, sequence)));

    public TraceScript RundownStart() => Add(s => s.On(new RundownStarted(1)));

    public TraceScript Rundown(long id, long size, int site, HeapFamily family = HeapFamily.Pool) =>
        Add(s => s.On(new RundownBlock(new AllocationId(id), 0x1000 + id * 16, size, new SiteId(site), family)));

    public TraceScript RundownStop(long blocks = 0, long bytes = 0) => Add(s => s.On(new RundownStopped(1, blocks, bytes)));

    /// <summary>A heartbeat whose target counts are given explicitly.</summary>
    public TraceScript Heartbeat(FamilyCounts raw, FamilyCounts pool, bool final = false, bool batched = false)
    {
        long sequence = ++_sequence;
        HeartbeatFlags flags = (final ? HeartbeatFlags.Final : HeartbeatFlags.None) | (batched ? HeartbeatFlags.Batched : HeartbeatFlags.None);
        return Add(s => s.On(new Heartbeat(sequence, raw, pool, 0, flags)));
    }

    /// <summary>A version 2 heartbeat: raw and pool as given, and the tracked families' counts (the others zero).</summary>
    public TraceScript Heartbeat(FamilyCounts raw, FamilyCounts pool, IReadOnlyDictionary<HeapFamily, FamilyCounts> tracked, bool final = false)
    {
        long sequence = ++_sequence;
        HeartbeatFlags flags = final ? HeartbeatFlags.Final : HeartbeatFlags.None;
        KeyValuePair<HeapFamily, FamilyCounts>[] all = new[] { HeapFamily.Native, HeapFamily.Aligned, HeapFamily.HGlobal, HeapFamily.CoTaskMem }
            .Select(f => new KeyValuePair<HeapFamily, FamilyCounts>(f, tracked.GetValueOrDefault(f))).ToArray();
        return Add(s => s.On(new Heartbeat(sequence, raw, pool, 0, flags) { Tracked = all }));
    }

    /// <summary>The target's answer to a detach flush: it names the next heartbeat of this script.</summary>
    public TraceScript DetachFlushed(long token)
    {
        long next = _sequence + 1;
        return Add(s => s.On(new DetachFlushed(token, next)));
    }

    /// <summary>A heartbeat that states the given live counts per family (cumulative totals left 0: only live counts are compared).</summary>
    public TraceScript Heartbeat(long rawBlocks, long rawBytes, long poolBlocks, long poolBytes, bool final = false, bool batched = false) =>
        Heartbeat(new FamilyCounts(rawBlocks, rawBytes, 0, 0), new FamilyCounts(poolBlocks, poolBytes, 0, 0), final, batched);

    public TraceScript Add(Action<ITraceRecordSink> step)
    {
        _steps.Add(step);
        return this;
    }

    public AnalysisEngine Feed(AnalysisOptions? options = null)
    {
        var engine = new AnalysisEngine(options);
        foreach (Action<ITraceRecordSink> step in _steps)
        {
            step(engine);
        }

        return engine;
    }

    public AnalysisResult When(StreamSummary? stream = null, AnalysisOptions? options = null) =>
        Feed(options).Finish(stream ?? StreamSummary.CleanExit);
}
