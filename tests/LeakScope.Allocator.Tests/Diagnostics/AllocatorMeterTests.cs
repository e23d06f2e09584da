using System.Diagnostics.Metrics;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Diagnostics;

/// <summary>
/// The <c>LeakScope.Allocator</c> meter, as dotnet-counters or an OpenTelemetry exporter would read it:
/// live bytes, live blocks and misuses per family, equal to <see cref="HeapStats"/>.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class AllocatorMeterTests
{
    [Fact]
    public void The_instruments_report_what_HeapStats_reports_per_family()
    {
        void* raw = RawHeap.Malloc(300);
        void* pool = PoolHeap.Malloc(5000);
        using (new MisusePolicyScope(MisusePolicy.Report))
        {
            PoolHeap.Free((byte*)pool + 16);
        }

        HeapSnapshot snapshot = HeapStats.Capture();
        var measured = Collect();

        foreach ((AllocationFamily family, string tag) in new[] { (AllocationFamily.Raw, "raw"), (AllocationFamily.Pool, "pool") })
        {
            HeapSnapshot expected = snapshot.For(family);
            Assert.Equal(expected.LiveBytes, measured[("leakscope.allocator.live_bytes", tag)]);
            Assert.Equal(expected.LiveBlocks, measured[("leakscope.allocator.live_blocks", tag)]);
            Assert.Equal(expected.MisuseCount, measured[("leakscope.allocator.misuse", tag)]);
        }

        Assert.True(measured[("leakscope.allocator.misuse", "pool")] >= 1);
        RawHeap.Free(raw);
        PoolHeap.Free(pool);
    }

    [Fact]
    public void The_instruments_follow_the_heap_between_collections()
    {
        long before = Collect()[("leakscope.allocator.live_bytes", "raw")];
        void* block = RawHeap.Malloc(4321);
        long during = Collect()[("leakscope.allocator.live_bytes", "raw")];
        RawHeap.Free(block);
        long after = Collect()[("leakscope.allocator.live_bytes", "raw")];

        Assert.Equal(4321, during - before);
        Assert.Equal(before, after);
    }

    [Fact]
    public void The_instruments_have_the_documented_kinds_and_units()
    {
        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "LeakScope.Allocator")
                {
                    instruments.Add(instrument);
                }
            },
        };
        listener.Start();

        var byName = instruments.ToDictionary(i => i.Name);
        Assert.IsType<ObservableUpDownCounter<long>>(byName["leakscope.allocator.live_bytes"]);
        Assert.Equal("By", byName["leakscope.allocator.live_bytes"].Unit);
        Assert.IsType<ObservableUpDownCounter<long>>(byName["leakscope.allocator.live_blocks"]);
        Assert.IsType<ObservableCounter<long>>(byName["leakscope.allocator.misuse"]);
    }

    /// <summary>One collection of every instrument of the meter, by (instrument, family tag).</summary>
    private static Dictionary<(string Instrument, string Family), long> Collect()
    {
        RawHeap.Free(RawHeap.Malloc(1)); // the meter is created with the first thread heap
        var measured = new Dictionary<(string, string), long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "LeakScope.Allocator")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string family = "";
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "family")
                {
                    family = (string)tag.Value!;
                }
            }

            measured[(instrument.Name, family)] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return measured;
    }
}
