using LeakScope.Allocator.MisuseTarget;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Misuse;

/// <summary>
/// <see cref="MisusePolicy.Throw"/>: the misuse is counted and published, then
/// <see cref="AllocatorMisuseException"/> says what happened — and the heap is not touched, so the
/// block is still exactly where it was and can be freed correctly afterwards.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class MisuseThrowTests
{
    public static TheoryData<string> Scenarios => MisuseCases.All;

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void The_exception_names_the_misuse_and_the_heap_is_left_untouched(string name)
    {
        MisuseScenario scenario = MisuseScenarios.Get(name);
        using var policy = new MisusePolicyScope(MisusePolicy.Throw);
        HeapSnapshot baseline = HeapStats.Capture();
        Victim victim = scenario.Arrange();
        nint pointer = victim.Block != 0 ? victim.Block : victim.Foreign;
        HeapSnapshot before = HeapStats.Capture();

        var thrown = Assert.Throws<AllocatorMisuseException>(() => scenario.Misuse(victim));

        HeapSnapshot after = HeapStats.Capture();
        Assert.Equal(scenario.Kind, thrown.Kind);
        Assert.Equal(scenario.BlockFamily, thrown.BlockFamily);
        Assert.Equal(scenario.CallerFamily, thrown.CallerFamily);
        if (scenario.BlockFamily == AllocationFamily.Unknown)
        {
            Assert.Equal(0, thrown.AllocationId);
        }
        else
        {
            Assert.NotEqual(0, thrown.AllocationId);
            Assert.Equal(pointer, thrown.Address);
        }

        Assert.StartsWith($"LeakScope: {scenario.Kind} ", thrown.Message, StringComparison.Ordinal);
        Assert.Contains($"({scenario.MisuseMember})", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(before.Counts + Counts.Misuse(1), after.Counts);
        Assert.Equal(Counts.Misuse(1), Counts.Change(before, after, scenario.ChargedFamily));

        // Untouched means the correct clean-up still works, and brings the heap back to where it was.
        scenario.CleanUpAfterThrow(victim);
        HeapSnapshot cleaned = HeapStats.Capture();
        Assert.Equal(after.MisuseCount, cleaned.MisuseCount);
        Assert.Equal(baseline.LiveBlocks, cleaned.LiveBlocks);
        Assert.Equal(baseline.LiveBytes, cleaned.LiveBytes);
    }

    [Fact]
    public void A_mismatched_free_that_threw_leaves_the_block_live_and_its_content_intact()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Throw);
        void* block = RawHeap.Malloc(200);
        TestHeap.Fill(block, 200, seed: 11);

        Assert.Throws<AllocatorMisuseException>(() => PoolHeap.Free(block));
        Assert.Throws<AllocatorMisuseException>(() => PoolHeap.Realloc(block, 400));

        Assert.Equal(-1, TestHeap.FirstMismatch(block, 200, seed: 11));
        void* grown = RawHeap.Realloc(block, 400);
        Assert.Equal(-1, TestHeap.FirstMismatch(grown, 200, seed: 11));
        RawHeap.Free(grown);
    }

    [Fact]
    public void The_message_names_both_the_offending_site_and_the_allocating_site()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Throw);
        void* block = PoolHeap.Malloc(24); int allocLine = Here.Line();
        PoolHeap.Free(block);

        var thrown = Assert.Throws<AllocatorMisuseException>(() => PoolHeap.Free(block)); int freeLine = Here.Line();

        string file = Path.GetFileName(Here.File());
        Assert.Contains($"DoubleFree by Pool at {file}:{freeLine} (", thrown.Message, StringComparison.Ordinal);
        Assert.Contains($"allocated at {file}:{allocLine} ({nameof(The_message_names_both_the_offending_site_and_the_allocating_site)})", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("24 B", thrown.Message, StringComparison.Ordinal);
    }
}
