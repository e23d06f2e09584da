using System.Globalization;
using System.Text.RegularExpressions;
using LeakScope.Allocator.Heaps;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Heaps;

/// <summary>
/// Empty pools go back to the system: a freed burst leaves the process's resident set where it started, a steady loop
/// never calls the system, and a late double free into a pool whose pages went back is still caught as one.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public partial class MemoryGivenBackTests
{
    [Fact]
    public async Task A_freed_burst_of_two_million_pool_blocks_leaves_rss_within_64_MB_of_the_start()
    {
        Assert.True(OperatingSystem.IsLinux(), "VmRSS and MADV_DONTNEED are Linux's; these tests run on Linux");

        ChildOutcome outcome = await MisuseTargetProcess.RunAsync("memory-given-back", misuseVariable: null);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Match report = ReportLine().Match(outcome.StandardOutput);
        Assert.True(report.Success, outcome.ToString());
        long start = Field(report, "start");
        long peak = Field(report, "peak");
        long after = Field(report, "after");
        Assert.True(peak - start > 400L << 20, $"the burst should have raised RSS by its ~540 MB: {outcome.StandardOutput}");
        Assert.True(after - start < 64L << 20, $"RSS after the frees is {(after - start) >> 20} MB above the start: {outcome.StandardOutput}");
        Assert.True(report.Groups["settled"].Value == "True", $"the purge did not settle within 60 s: {outcome.StandardOutput}");
        Assert.True(Field(report, "burst-releases") > 0, outcome.StandardOutput);
        Assert.Equal(0, Field(report, "loop-arenas"));
        Assert.Equal(0, Field(report, "loop-releases"));
    }

    [Fact]
    public unsafe void A_double_free_into_a_pool_whose_pages_went_back_is_still_a_double_free()
    {
        Assert.True(SystemPages.CanRelease, "pages are given back on Linux");
        using var policy = new MisusePolicyScope(MisusePolicy.Throw);

        // 496 B blocks: 32 to a 16 KiB pool, so 4 000 pools (62 MB) — more empties than the heap keeps mapped.
        const int Blocks = 128_000;
        var blocks = new nint[Blocks];
        for (int i = 0; i < Blocks; i++)
        {
            blocks[i] = (nint)PoolHeap.Malloc(496);
        }

        long releasesBefore = HeapFootprint.Capture().ReleaseCalls;
        foreach (nint block in blocks)
        {
            PoolHeap.Free((void*)block);
        }

        // The pages go back on the purge thread once the emptied pools have stayed empty: wait for that, bounded.
        Assert.True(PagePurger.WaitUntilSettled(TimeSpan.FromSeconds(60)), "the page purge did not settle within 60 s");
        Assert.True(HeapFootprint.Capture().ReleaseCalls > releasesBefore, "freeing 62 MB of pool blocks gave no pool back");

        // Freed early in the loop: its pool emptied among the first, and the oldest empties are the ones given back.
        nint stale = blocks[1000];
        Assert.True(ArenaMap.Find(stale)!.IsReleasedSlot(stale), "the early-freed block's pool should have been given back");
        var misuse = Assert.Throws<AllocatorMisuseException>(() => PoolHeap.Free((void*)stale));
        Assert.Equal(MisuseKind.DoubleFree, misuse.Kind);

        // The heap serves the class again from the released pools.
        void* again = PoolHeap.Malloc(496);
        *(long*)again = 42;
        PoolHeap.Free(again);
    }

    private static long Field(Match report, string name) =>
        long.Parse(report.Groups[name.Replace("-", string.Empty, StringComparison.Ordinal)].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"rss start=(?<start>\d+) peak=(?<peak>\d+) after=(?<after>\d+) loop-arenas=(?<looparenas>-?\d+) loop-releases=(?<loopreleases>-?\d+) burst-releases=(?<burstreleases>\d+) settled=(?<settled>\w+) settle-ms=(?<settlems>\d+)")]
    private static partial Regex ReportLine();
}
