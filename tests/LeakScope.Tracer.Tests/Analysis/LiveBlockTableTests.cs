using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Tests.Analysis;

/// <summary>The compact live-block table against a dictionary model: random operation streams, edge ids and values, growth and shrinking.</summary>
public class LiveBlockTableTests
{
    [Theory]
    [InlineData(1, 200_000, 5_000)]
    [InlineData(2, 200_000, 100_000)]
    [InlineData(3, 50_000, 64)]
    public void Random_streams_agree_with_a_dictionary(int seed, int operations, int idSpace)
    {
        var random = new Random(seed);
        var table = new LiveBlockTable();
        var model = new Dictionary<long, (long Size, int Account, bool Rundown)>();
        for (int i = 0; i < operations; i++)
        {
            // Ids in clusters like the allocator's per-thread ranges, plus a few far away.
            long id = random.Next(8) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : (random.Next(4) * 4096L) + random.Next(idSpace);
            switch (random.Next(4))
            {
                case 0:
                case 1:
                {
                    long size = random.Next(10) == 0 ? random.NextInt64(1L << 38, 1L << 42) : random.Next(1, 5000);
                    int account = random.Next(10) == 0 ? random.Next(1 << 23, int.MaxValue) : random.Next(100);
                    bool rundown = random.Next(5) == 0;
                    Assert.Equal(model.TryAdd(id, (size, account, rundown)), table.TryAdd(id, size, account, rundown));
                    break;
                }

                case 2:
                {
                    bool removed = table.Remove(id, out long size, out int account, out bool rundown);
                    Assert.Equal(model.Remove(id, out var expected), removed);
                    if (removed)
                    {
                        Assert.Equal(expected, (size, account, rundown));
                    }

                    break;
                }

                default:
                {
                    bool found = table.TryGet(id, out long size, out int account, out bool rundown);
                    Assert.Equal(model.TryGetValue(id, out var expected), found);
                    if (found)
                    {
                        Assert.Equal(expected, (size, account, rundown));
                    }

                    break;
                }
            }

            Assert.Equal(model.Count, table.Count);
        }

        foreach ((long id, (long size, int account, bool rundown)) in model)
        {
            Assert.True(table.TryGet(id, out long s, out int a, out bool r));
            Assert.Equal((size, account, rundown), (s, a, r));
        }
    }

    [Fact]
    public void Id_zero_and_extreme_values_round_trip()
    {
        var table = new LiveBlockTable();
        Assert.True(table.TryAdd(0, long.MaxValue, int.MaxValue, fromRundown: true));
        Assert.False(table.TryAdd(0, 1, 1, fromRundown: false));
        Assert.True(table.TryAdd(-1, (1L << 39) - 2, (1 << 24) - 2, fromRundown: false));
        Assert.True(table.TryAdd(long.MinValue, -5, 0, fromRundown: false));

        Assert.True(table.TryGet(0, out long size, out int account, out bool rundown));
        Assert.Equal((long.MaxValue, int.MaxValue, true), (size, account, rundown));
        Assert.True(table.TryGet(-1, out size, out account, out _));
        Assert.Equal(((1L << 39) - 2, (1 << 24) - 2), (size, account));
        Assert.True(table.Remove(long.MinValue, out size, out _, out _));
        Assert.Equal(-5, size);
        Assert.True(table.Remove(0, out _, out _, out _));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void It_grows_for_a_million_blocks_within_the_memory_budget_and_shrinks_when_they_go()
    {
        var table = new LiveBlockTable();
        for (long id = 1; id <= 1_000_000; id++)
        {
            Assert.True(table.TryAdd(id, 64, 1, fromRundown: false));
        }

        // 16 bytes a slot at a load between 3/8 and 3/4: at most 43 bytes a block (the bar is 64).
        Assert.InRange(table.MemoryBytes / 1_000_000.0, 16, 43);

        for (long id = 1; id <= 999_000; id++)
        {
            Assert.True(table.Remove(id, out _, out _, out _));
        }

        Assert.Equal(1000, table.Count);
        Assert.True(table.Capacity <= 16 * 1024, $"capacity {table.Capacity} after the heap drained");
        for (long id = 999_001; id <= 1_000_000; id++)
        {
            Assert.True(table.TryGet(id, out long size, out _, out _));
            Assert.Equal(64, size);
        }
    }

    [Fact]
    public void A_block_known_from_the_rundown_can_be_claimed_by_its_allocation_record_once()
    {
        var table = new LiveBlockTable();
        table.TryAdd(7, 80, 3, fromRundown: true);
        table.TryAdd(8, 80, 3, fromRundown: false);

        Assert.True(table.TryClaimFromRundown(7, out long size, out int account));
        Assert.Equal((80, 3), (size, account));
        Assert.False(table.TryClaimFromRundown(7, out _, out _));
        Assert.False(table.TryClaimFromRundown(8, out _, out _));
        Assert.False(table.TryClaimFromRundown(9, out _, out _));
        Assert.True(table.TryGet(7, out _, out _, out bool rundown));
        Assert.False(rundown);
    }
}
