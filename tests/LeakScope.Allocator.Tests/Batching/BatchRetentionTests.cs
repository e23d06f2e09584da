using LeakScope.Allocator.Diagnostics.Batching;

namespace LeakScope.Allocator.Tests.Batching;

/// <summary>The ring of recently published batches the exit file replays: newest kept, oldest overwritten, bytes intact across the wrap.</summary>
[Collection(BatchingCollection.Name)]
public unsafe class BatchRetentionTests
{
    private static void Keep(byte[] batch)
    {
        fixed (byte* p = batch)
        {
            BatchRetention.Keep(p, batch.Length);
        }
    }

    private static byte[] Batch(int number, int length)
    {
        var batch = new byte[length];
        for (int i = 0; i < length; i++)
        {
            batch[i] = (byte)(number * 31 + i);
        }

        return batch;
    }

    [Fact]
    public void Replays_what_it_kept_in_order()
    {
        BatchRetention.Clear();
        byte[][] kept = [Batch(1, 10), Batch(2, 1), Batch(3, 32 * 1024)];
        foreach (byte[] batch in kept)
        {
            Keep(batch);
        }

        var output = new BatchOutputCapture();
        BatchRetention.ReplayTo(output);

        Assert.Equal(kept, output.Batches);
        BatchRetention.Clear();
    }

    [Fact]
    public void Keeps_the_newest_batches_that_fit_and_survives_wrapping_around()
    {
        BatchRetention.Clear();
        var all = new List<byte[]>();
        for (int n = 0; n < 400; n++)
        {
            // Odd lengths so entries and their length prefixes straddle the end of the ring.
            byte[] batch = Batch(n, 1 + ((n * 7919) % (33 * 1024)));
            all.Add(batch);
            Keep(batch);
        }

        var output = new BatchOutputCapture();
        BatchRetention.ReplayTo(output);

        // The replay is a suffix of everything kept, and as much of it as fits the ring.
        List<byte[]> replayed = output.Batches;
        Assert.Equal(all.Skip(all.Count - replayed.Count), replayed);
        long bytes = replayed.Sum(b => b.Length + 4L);
        Assert.True(bytes <= BatchRetention.CapacityBytes, $"{bytes} bytes replayed");
        Assert.True(bytes + all[all.Count - replayed.Count - 1].Length + 4 > BatchRetention.CapacityBytes, "the next older batch would not have fit");
        BatchRetention.Clear();
    }

    [Fact]
    public void A_new_session_starts_with_nothing_to_replay()
    {
        Keep(Batch(1, 100));
        BatchRetention.Clear();

        var output = new BatchOutputCapture();
        BatchRetention.ReplayTo(output);

        Assert.Empty(output.Batches);
    }
}
