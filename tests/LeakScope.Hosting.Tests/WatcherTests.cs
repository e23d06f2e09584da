using System.Diagnostics.Metrics;
using LeakScope.Allocator;
using LeakScope.Hosting.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeakScope.Hosting.Tests;

/// <summary>The watcher against the real allocator in this process: growth episodes, churn, the top-N bound, the gauges.</summary>
[Collection(HeapCollection.Name)]
public sealed class WatcherTests
{
    private static LeakScopeWatcher Watcher(LeakScopeOptions options, ILogger<LeakScopeWatcher>? logger = null) =>
        new(Options.Create(options), logger);

    private static GrowingSite? Flagged(LeakScopeSample sample, SiteBlocks site) =>
        sample.Growing.SingleOrDefault(g => g.Site.File == site.File && g.Site.Line == site.Line);

    [Fact]
    public void ASiteThatKeepsRisingIsFlaggedAtItsThirdRisingWindowAndWarnedOncePerEpisode()
    {
        var logger = new ListLogger<LeakScopeWatcher>();
        LeakScopeWatcher watcher = Watcher(new LeakScopeOptions(), logger);
        using var cache = new SiteBlocks("/src/app/GrowthCache.cs", 42, "Add");
        watcher.Sample(); // Before the site exists: it will start from 0, as in the tracer.

        for (int window = 1; window <= 3; window++)
        {
            cache.Allocate(4, 512); // 2 KiB per window
            LeakScopeSample sample = watcher.Sample();
            Assert.Equal(window == 3, Flagged(sample, cache) is not null);
        }

        GrowingSite flagged = Flagged(watcher.Latest!, cache)!;
        Assert.Equal(6144, flagged.GrowthBytes);
        Assert.Equal(12, flagged.Site.LiveBlocks);
        Assert.Equal("GrowthCache.cs:42", flagged.Site.Location);
        Assert.True(flagged.BytesPerSecond > 0);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("GrowthCache.cs:42", warning.Message);
        Assert.Contains("(Add, pool)", warning.Message);
        Assert.Contains("B/s", warning.Message);

        // Still rising: the same episode, no second warning, the same start.
        cache.Allocate(4, 512);
        Assert.Equal(flagged.GrowingSince, Flagged(watcher.Sample(), cache)!.GrowingSince);
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);

        // It stops rising: the flag clears once its rises have left the recent windows.
        int flat = 0;
        while (Flagged(watcher.Sample(), cache) is not null)
        {
            flat++;
            Assert.True(flat <= watcher.Options.RecentWindows, "still flagged after every rising window left the recent windows");
        }

        Assert.True(flat >= 1, "cleared at once although the recent windows still rose");

        // A new episode: flagged again after three more rising windows, and warned again.
        for (int window = 1; window <= 3; window++)
        {
            cache.Allocate(4, 512);
            watcher.Sample();
        }

        Assert.NotNull(Flagged(watcher.Latest!, cache));
        Assert.Equal(2, logger.Entries.Count(e => e.Level == LogLevel.Warning));
    }

    [Fact]
    public void ChurnThatReturnsToWhereItStartedIsNeverFlagged()
    {
        var logger = new ListLogger<LeakScopeWatcher>();
        LeakScopeWatcher watcher = Watcher(new LeakScopeOptions(), logger);
        using var churn = new SiteBlocks("/src/app/Churn.cs", 7, "Handle");
        using var steady = new SiteBlocks("/src/app/Steady.cs", 9, "Load");
        steady.Allocate(100, 256); // Allocated once, never again: flat.
        for (int i = 0; i < 20; i++)
        {
            churn.Allocate(50, 300); // Up in one window...
            Assert.Null(Flagged(watcher.Sample(), churn));
            churn.Free(50); // ...and back down in the next.
            LeakScopeSample sample = watcher.Sample();
            Assert.Null(Flagged(sample, churn));
            Assert.Null(Flagged(sample, steady));
        }

        Assert.DoesNotContain(logger.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public void TheGaugesReportTheTopMaxSitesByLiveBytesNamedByFileNameAndLine()
    {
        const int Sites = 30;
        var sites = new List<SiteBlocks>();
        try
        {
            for (int i = 0; i < Sites; i++)
            {
                var site = new SiteBlocks($"/deep/folder/of/TopSites.cs", 100 + i, "Fill");
                site.Allocate(i + 1, 1000); // Site i holds (i + 1) KB.
                sites.Add(site);
            }

            LeakScopeSample sample = Watcher(new LeakScopeOptions { MaxSites = 5 }).Sample();
            Assert.Equal(5, sample.TopSites.Count);
            Assert.Equal(Enumerable.Range(0, 5).Select(k => 100 + Sites - 1 - k), sample.TopSites.Select(s => s.Line));
            Assert.True(sample.SiteCount >= Sites);

            List<(string Instrument, long Value, Dictionary<string, string> Tags)> measured = Collect();
            var bytes = measured.Where(m => m.Instrument == SiteMetrics.LiveBytesInstrument).ToList();
            var blocks = measured.Where(m => m.Instrument == SiteMetrics.LiveBlocksInstrument).ToList();
            Assert.Equal(5, bytes.Count);
            Assert.Equal(5, blocks.Count);
            var top = Assert.Single(bytes, m => m.Tags["site"] == $"TopSites.cs:{100 + Sites - 1}");
            Assert.Equal(Sites * 1000, top.Value);
            Assert.Equal("Fill", top.Tags["member"]);
            Assert.Equal("pool", top.Tags["family"]);
            Assert.Equal(Sites, Assert.Single(blocks, m => m.Tags["site"] == $"TopSites.cs:{100 + Sites - 1}").Value);
            Assert.DoesNotContain(measured, m => m.Instrument == SiteMetrics.GrowingInstrument);

            SiteMetrics.Clear();
            Assert.DoesNotContain(Collect(), m => m.Instrument.StartsWith("leakscope.allocator.site.", StringComparison.Ordinal));
        }
        finally
        {
            sites.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void AFlaggedSiteShowsOnTheGrowingGauge()
    {
        LeakScopeWatcher watcher = Watcher(new LeakScopeOptions());
        using var cache = new SiteBlocks("/src/app/GaugeCache.cs", 5, "Put");
        watcher.Sample();
        for (int window = 0; window < 3; window++)
        {
            cache.Allocate(3, 500);
            watcher.Sample();
        }

        var growing = Collect().Where(m => m.Instrument == SiteMetrics.GrowingInstrument).ToList();
        var flag = Assert.Single(growing, m => m.Tags["site"] == "GaugeCache.cs:5");
        Assert.Equal(1, flag.Value);
        Assert.Equal("Put", flag.Tags["member"]);
        SiteMetrics.Clear();
    }

    [Fact]
    public unsafe void CaptureSitesCoversEveryFamilyIncludingTheTrackedOnesAndLargeBlocks()
    {
        const string File = "/src/app/Families.cs";
        void* raw = RawHeap.Malloc(100, File, 1, "M");
        void* pool = PoolHeap.Malloc(200, File, 2, "M");
        void* large = PoolHeap.Malloc(100_000, File, 3, "M");
        void* native = TrackedNativeMemory.Alloc(300, File, 4, "M");
        void* aligned = TrackedNativeMemory.AlignedAlloc(400, 64, File, 5, "M");
        nint hglobal = TrackedMarshal.AllocHGlobal(500, File, 6, "M");
        nint cotask = TrackedMarshal.AllocCoTaskMem(600, File, 7, "M");
        try
        {
            var ours = HeapStats.CaptureSites().Where(s => s.File == File).ToDictionary(s => s.Line);
            Assert.Equal(new SiteUsage(File, 1, "M", AllocationFamily.Raw, 1, 100), ours[1]);
            Assert.Equal(new SiteUsage(File, 2, "M", AllocationFamily.Pool, 1, 200), ours[2]);
            Assert.Equal(new SiteUsage(File, 3, "M", AllocationFamily.Pool, 1, 100_000), ours[3]);
            Assert.Equal(new SiteUsage(File, 4, "M", AllocationFamily.Native, 1, 300), ours[4]);
            Assert.Equal(new SiteUsage(File, 5, "M", AllocationFamily.Aligned, 1, 400), ours[5]);
            Assert.Equal(new SiteUsage(File, 6, "M", AllocationFamily.HGlobal, 1, 500), ours[6]);
            Assert.Equal(new SiteUsage(File, 7, "M", AllocationFamily.CoTaskMem, 1, 600), ours[7]);
            Assert.Equal(7, ours.Count);
        }
        finally
        {
            RawHeap.Free(raw);
            PoolHeap.Free(pool);
            PoolHeap.Free(large);
            TrackedNativeMemory.Free(native);
            TrackedNativeMemory.AlignedFree(aligned);
            TrackedMarshal.FreeHGlobal(hglobal);
            TrackedMarshal.FreeCoTaskMem(cotask);
        }

        Assert.DoesNotContain(HeapStats.CaptureSites(), s => s.File == File);
    }

    [Fact]
    public unsafe void AWalkBesideThreadsThatResizeInPlaceNeverChargesABlockToTheWrongSite()
    {
        // Each block is allocated at A with 40 bytes, resized in place (same size class) to 36 bytes at B, then freed:
        // a header read half before and half after the resize would charge 36 bytes to A or 40 to B.
        const string File = "/src/app/Racing.cs";
        using var stop = new CancellationTokenSource();
        long cycles = 0;
        Thread[] workers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            var held = new List<nint>();
            while (!stop.IsCancellationRequested)
            {
                for (int i = 0; i < 64; i++)
                {
                    void* p = PoolHeap.Malloc(40, File, 1, "A");
                    held.Add((nint)PoolHeap.Realloc(p, 36, File, 2, "B"));
                }

                foreach (nint p in held)
                {
                    PoolHeap.Free((void*)p);
                }

                held.Clear();
                Interlocked.Increment(ref cycles);
            }
        })).ToArray();
        foreach (Thread t in workers)
        {
            t.Start();
        }

        try
        {
            int walks = 0;
            while (walks < 300 || Interlocked.Read(ref cycles) < 100)
            {
                foreach (SiteUsage site in HeapStats.CaptureSites().Where(s => s.File == File))
                {
                    Assert.Equal(site.Line == 1 ? 40 : 36, site.LiveBytes / site.LiveBlocks);
                    Assert.Equal(0, site.LiveBytes % site.LiveBlocks);
                }

                walks++;
            }
        }
        finally
        {
            stop.Cancel();
            foreach (Thread t in workers)
            {
                t.Join();
            }
        }
    }

    /// <summary>One collection of the LeakScope.Allocator meter's observable instruments, as an exporter would make it.</summary>
    private static List<(string Instrument, long Value, Dictionary<string, string> Tags)> Collect()
    {
        var measured = new List<(string, long, Dictionary<string, string>)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "LeakScope.Allocator")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measured.Add((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measured.Add((i.Name, v, Tags(tags))));
        listener.Start();
        listener.RecordObservableInstruments();
        return measured;
    }

    private static Dictionary<string, string> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, string>();
        foreach (KeyValuePair<string, object?> t in tags)
        {
            result[t.Key] = t.Value?.ToString() ?? "";
        }

        return result;
    }
}
