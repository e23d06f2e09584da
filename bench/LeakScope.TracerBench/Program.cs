using System.Diagnostics;
using System.Globalization;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Decoding;
using LeakScope.TracerBench;

// Usage: LeakScope.TracerBench [--quick] [--only churn|live1m|crossthread] | --memory <live blocks>
// Feeds synthetic AllocationBatch payloads (built up front, not timed) through RecordDecoder + AnalysisEngine on one
// thread and prints RECORDS <workload> <records/s>, then BYTES_PER_LIVE_BLOCK and JUDGE_MS for one million live blocks.
bool quick = args.Contains("--quick");
if (args.SkipWhile(a => a != "--memory").Skip(1).FirstOrDefault() is { } memoryBlocks)
{
    return MeasureMemory(int.Parse(memoryBlocks, CultureInfo.InvariantCulture));
}

string? only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
int scale = quick ? 1 : 4;
const int AllocationBatchId = 10;

var workloads = new (string Name, Func<List<byte[]>> Build, long Records)[]
{
    ("churn", () => Churn(2_000_000 * scale, out _), 0),
    ("live1m", () => LiveMillion(out _), 0),
    ("crossthread", () => CrossThread(1_000_000 * scale, out _), 0),
};

foreach ((string name, Func<List<byte[]>> build, _) in workloads.Where(w => only is null || w.Name == only))
{
    List<byte[]> payloads = build();
    long records = CountRecords(payloads);
    double best = double.MaxValue;
    for (int round = 0; round < (quick ? 3 : 5); round++)
    {
        AnalysisEngine engine = SessionEngine();
        var decoder = new RecordDecoder(engine);
        var clock = Stopwatch.StartNew();
        foreach (byte[] payload in payloads)
        {
            decoder.Decode(AllocationBatchId, 1, payload);
        }

        clock.Stop();
        if (decoder.Statistics.Undecodable != 0 || decoder.Statistics.BatchRecords != records)
        {
            throw new InvalidOperationException($"{name}: decoded {decoder.Statistics.BatchRecords} of {records} records");
        }

        best = Math.Min(best, clock.Elapsed.TotalSeconds);
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RECORDS {name} {records / best:F0} records/s ({records} records in {best * 1000:F1} ms, best of rounds)"));
}

// Memory: one million live blocks held by the engine, measured by the GC, payloads built and kept before the baseline.
{
    List<byte[]> payloads = Allocations(1_000_000);
    long before = GC.GetTotalMemory(forceFullCollection: true);
    var engine = new AnalysisEngine();
    var decoder = new RecordDecoder(engine);
    foreach (byte[] payload in payloads)
    {
        decoder.Decode(AllocationBatchId, 1, payload);
    }

    long after = GC.GetTotalMemory(forceFullCollection: true);
    long live = engine.Account(LeakScope.Tracer.Events.HeapFamily.Raw).LiveBlocks + engine.Account(LeakScope.Tracer.Events.HeapFamily.Pool).LiveBlocks;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"BYTES_PER_LIVE_BLOCK {(after - before) / (double)live:F1} ({live} live blocks, {(after - before) / 1048576.0:F1} MiB for decoder and engine)"));

    var clock = Stopwatch.StartNew();
    AnalysisResult result = engine.Finish(StreamSummary.CleanExit);
    clock.Stop();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"JUDGE_MS {clock.Elapsed.TotalMilliseconds:F1} (judging {result.LiveBlocks} live blocks in {result.Findings.Count} findings)"));
    GC.KeepAlive(payloads);
    GC.KeepAlive(engine);
}

return 0;

// The tracer's memory per live block as the operating system sees it: run once per size, in a fresh process
// (`--memory 5000000`). Payloads are built before the baseline and kept; the engine then holds every block live.
// GC: managed heap after a full collection. RSS: resident set (working set) after that collection, and its peak
// (the live-block table doubles, so the old and the new array coexist while it grows, and the runtime keeps the
// freed pages for reuse).
static int MeasureMemory(int blocks)
{
    List<byte[]> payloads = Allocations(blocks);
    using var self = Process.GetCurrentProcess();
    long gcBefore = GC.GetTotalMemory(forceFullCollection: true);
    self.Refresh();
    long rssBefore = self.WorkingSet64;
    long peakBefore = self.PeakWorkingSet64;
    var engine = new AnalysisEngine();
    var decoder = new RecordDecoder(engine);
    foreach (byte[] payload in payloads)
    {
        decoder.Decode(AllocationBatchId, 1, payload);
    }

    long gcAfter = GC.GetTotalMemory(forceFullCollection: true);
    self.Refresh();
    long rssAfter = self.WorkingSet64;
    long peakAfter = self.PeakWorkingSet64;
    long live = engine.Account(LeakScope.Tracer.Events.HeapFamily.Raw).LiveBlocks + engine.Account(LeakScope.Tracer.Events.HeapFamily.Pool).LiveBlocks;
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"MEMORY {live} live blocks: GC heap {(gcAfter - gcBefore) / (double)live:F1} B/block, RSS {(rssAfter - rssBefore) / (double)live:F1} B/block, peak RSS {(peakAfter - peakBefore) / (double)live:F1} B/block (RSS {rssAfter / 1048576.0:F0} MiB, payloads {payloads.Sum(p => (long)p.Length) / 1048576.0:F0} MiB)"));
    GC.KeepAlive(payloads);
    GC.KeepAlive(engine);
    return 0;
}

// A session's stream starts with the rundown the allocator publishes when a session enables it (empty when launched),
// then a heartbeat (so the engine follows the heartbeat's position through the records, as it does in a session).
static AnalysisEngine SessionEngine()
{
    var engine = new AnalysisEngine();
    engine.On(new LeakScope.Tracer.Events.RundownStarted(1));
    engine.On(new LeakScope.Tracer.Events.RundownStopped(1, 0, 0));
    engine.On(new LeakScope.Tracer.Events.Heartbeat(1, default, default, 0, LeakScope.Tracer.Events.HeartbeatFlags.Batched));
    return engine;
}

static long CountRecords(List<byte[]> payloads)
{
    var counter = new RecordDecoder(new AnalysisEngine());
    foreach (byte[] payload in payloads)
    {
        counter.Decode(AllocationBatchId, 1, payload);
    }

    return counter.Statistics.BatchRecords;
}

// One thread allocating and freeing with ~64 K blocks live at any time (a service's steady state), sizes and sites varied.
static List<byte[]> Churn(long operations, out long records)
{
    var b = new BatchBuilder(1);
    const int window = 65_536;
    long next = 1;
    for (long i = 0; i < operations / 2; i++)
    {
        long id = next++;
        b.Allocated(id, 16 + (id % 496), (int)(1 + (id % 97)), (byte)(1 + (id & 1)));
        if (id > window)
        {
            b.Freed(id - window);
        }

        if ((i & 1023) == 0)
        {
            b.Folded((int)(1 + (i % 97)), 2, 700, 700 * 64);
        }
    }

    records = b.Records;
    return b.Finish();
}

// Build up one million live blocks, then free them all (bench workload live1m's shape).
static List<byte[]> LiveMillion(out long records)
{
    var b = new BatchBuilder(1);
    for (long id = 1; id <= 1_000_000; id++)
    {
        b.Allocated(id, 16 + (id & 63), (int)(1 + (id % 13)), 2);
    }

    for (long id = 1; id <= 1_000_000; id++)
    {
        b.Freed(id);
    }

    records = b.Records;
    return b.Finish();
}

// Four writers in a ring: each frees the blocks of the previous one; batches interleave so a quarter of the frees
// arrive before their allocation (tombstones) — the threads4 workload's shape.
static List<byte[]> CrossThread(long blocksPerThread, out long records)
{
    const int threads = 4;
    var builders = Enumerable.Range(1, threads).Select(w => new BatchBuilder(w)).ToArray();
    const long lag = 512;
    for (long i = 0; i < blocksPerThread; i++)
    {
        for (int t = 0; t < threads; t++)
        {
            long id = (t * 1L << 40) + i + 1;
            builders[t].Allocated(id, 32 + (i & 31), 1 + t, 2);
            if (i >= lag)
            {
                int producer = (t + threads - 1) % threads;
                builders[t].Freed((producer * 1L << 40) + (i - lag) + 1);
            }
        }
    }

    records = builders.Sum(b => b.Records);
    List<byte[]>[] perThread = builders.Select(b => b.Finish()).ToArray();
    var interleaved = new List<byte[]>();
    for (int i = 0; perThread.Any(p => i < p.Count); i++)
    {
        foreach (List<byte[]> p in perThread.Reverse())
        {
            if (i < p.Count)
            {
                interleaved.Add(p[i]);
            }
        }
    }

    return interleaved;
}

// One million allocations only (for the memory measurement).
static List<byte[]> Allocations(long count)
{
    var b = new BatchBuilder(1);
    for (long id = 1; id <= count; id++)
    {
        b.Allocated(id * 3, 16 + (id & 63), (int)(1 + (id % 13)), (byte)(1 + (id & 1)));
    }

    return b.Finish();
}
