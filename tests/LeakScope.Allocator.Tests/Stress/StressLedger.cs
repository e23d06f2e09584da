using System.Collections.Concurrent;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Stress;

/// <summary>
/// What the stress threads did, to compare with <see cref="HeapStats"/> afterwards: one tally per thread (no sharing
/// on the hot path), the set of addresses currently handed out (a block handed out twice is heap corruption), and
/// every failure seen, as text.
/// </summary>
internal sealed unsafe class StressLedger(int threads)
{
    private readonly ConcurrentDictionary<nint, byte> _live = new();
    private readonly ConcurrentQueue<string> _failures = new();

    public StressTally[] Tallies { get; } = Enumerable.Range(0, threads).Select(_ => new StressTally()).ToArray();

    public IReadOnlyCollection<string> Failures => _failures;

    public int LiveCount => _live.Count;

    /// <summary>Records a block just handed out: it must be non-null and not already live.</summary>
    public void HandedOut(void* block, string what)
    {
        if (block == null)
        {
            Fail($"{what} returned null");
        }
        else if (!_live.TryAdd((nint)block, 0))
        {
            Fail($"{what} handed out 0x{(nint)block:x}, which is still live");
        }
    }

    /// <summary>Forgets a block about to be freed (before the free: once freed, another thread may be handed the address).</summary>
    public void Returning(void* block)
    {
        if (!_live.TryRemove((nint)block, out _))
        {
            Fail($"0x{(nint)block:x} returned but not live");
        }
    }

    public void Check(in StressBlock block)
    {
        long mismatch = TestHeap.FirstMismatch((void*)block.Address, block.Size, block.Seed);
        if (mismatch >= 0)
        {
            Fail($"{block.Family} block 0x{block.Address:x} ({block.Size} B) was overwritten at offset {mismatch}");
        }
    }

    public void Fail(string failure)
    {
        if (_failures.Count < 20)
        {
            _failures.Enqueue(failure);
        }
    }

    public StressTally Total()
    {
        var total = new StressTally();
        foreach (StressTally tally in Tallies)
        {
            total.Add(tally);
        }

        return total;
    }
}

/// <summary>A block a stress thread owns, filled with <see cref="TestHeap.Fill"/>'s pattern for <see cref="Seed"/>.</summary>
internal readonly record struct StressBlock(nint Address, AllocationFamily Family, nuint Size, int Seed);

/// <summary>Counts per family in the shape of <see cref="HeapCounts"/>.</summary>
internal sealed class StressTally
{
    private readonly HeapCounts[] _byFamily = new HeapCounts[3];

    public void Allocated(AllocationFamily family, nuint size) => _byFamily[(int)family] += new HeapCounts(1, (long)size, 1, 0, 0);

    public void Freed(AllocationFamily family, nuint size) => _byFamily[(int)family] += new HeapCounts(-1, -(long)size, 0, 1, 0);

    public void Misused(AllocationFamily family) => _byFamily[(int)family] += new HeapCounts(0, 0, 0, 0, 1);

    public void Add(StressTally other)
    {
        for (int f = 0; f < _byFamily.Length; f++)
        {
            _byFamily[f] += other._byFamily[f];
        }
    }

    public HeapCounts For(AllocationFamily family) => _byFamily[(int)family];
}
