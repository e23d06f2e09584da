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
            Volatile.Write(ref s_meter, meter);
        }
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
