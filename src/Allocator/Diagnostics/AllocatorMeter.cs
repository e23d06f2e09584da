using System.Diagnostics.Metrics;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// The <c>LeakScope.Allocator</c> meter, so dotnet-counters and OpenTelemetry exporters see the heap
/// without a tracer. Observable instruments: the cost is paid only when a listener collects.
/// </summary>
internal static class AllocatorMeter
{
    public const string MeterName = "LeakScope.Allocator";

    private static readonly Lock s_lock = new();

    /// <summary>Every family and its name in reports (the JSON report's <c>family</c> strings).</summary>
    private static readonly (AllocationFamily Family, string Name)[] s_families =
    [
        (AllocationFamily.Raw, "raw"),
        (AllocationFamily.Pool, "pool"),
        (AllocationFamily.Native, "native"),
        (AllocationFamily.Aligned, "aligned"),
        (AllocationFamily.HGlobal, "hglobal"),
        (AllocationFamily.CoTaskMem, "cotaskmem"),
    ];
    private static Meter? s_meter;

    public static void EnsureCreated()
    {
        if (Volatile.Read(ref s_meter) is not null)
        {
            return;
        }

        lock (s_lock)
        {
            if (s_meter is not null)
            {
                return;
            }

            var meter = new Meter(MeterName, typeof(AllocatorMeter).Assembly.GetName().Version?.ToString());
            meter.CreateObservableUpDownCounter("leakscope.allocator.live_bytes", () => PerFamily(s => s.LiveBytes), "By", "Bytes in live blocks, per allocation family.");
            meter.CreateObservableUpDownCounter("leakscope.allocator.live_blocks", () => PerFamily(s => s.LiveBlocks), "{block}", "Live blocks, per allocation family.");
            meter.CreateObservableCounter("leakscope.allocator.misuse", () => PerFamily(s => s.MisuseCount), "{misuse}", "Misuses caught in-process, per allocation family.");

            // The per-site gauges belong to this meter (one meter, one name for listeners to enable); what they show
            // is fed by a watcher through SiteMetrics.Publish (LeakScope.Hosting's, docs/hosting.md).
            meter.CreateObservableGauge(SiteMetrics.LiveBytesInstrument, SiteMetrics.LiveBytes, "By", "Bytes in live blocks of one allocating site and family (the top sites by live bytes).");
            meter.CreateObservableGauge(SiteMetrics.LiveBlocksInstrument, SiteMetrics.LiveBlocks, "{block}", "Live blocks of one allocating site and family (the top sites by live bytes).");
            meter.CreateObservableGauge(SiteMetrics.GrowingInstrument, SiteMetrics.Growing, "{site}", "1 for each site whose live bytes the growth rule currently flags as growing.");
            Volatile.Write(ref s_meter, meter);
        }
    }

    /// <summary>The family's name in metrics and reports (<c>raw</c>, <c>pool</c>, …); <c>unknown</c> for anything else.</summary>
    public static string FamilyName(AllocationFamily family)
    {
        foreach ((AllocationFamily f, string name) in s_families)
        {
            if (f == family)
            {
                return name;
            }
        }

        return "unknown";
    }

    private static IEnumerable<Measurement<long>> PerFamily(Func<HeapSnapshot, long> select)
    {
        HeapSnapshot snapshot = HeapStats.Capture();
        foreach ((AllocationFamily family, string name) in s_families)
        {
            yield return new Measurement<long>(select(snapshot.For(family)), new KeyValuePair<string, object?>("family", name));
        }
    }
}
