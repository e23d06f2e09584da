// LeakyService's planted bugs. Their lines are a contract with README.md, the tracer's end-to-end tests and
// LeakyServiceTests (which checks that every line below still holds the call README.md names): add code only
// BELOW the last bug, never above or between them.
//
//   BUG 1  leak               line 29       PoolHeap.Malloc(64) never freed: 64 B (Pool) every tick
//   BUG 2  mismatched-free    lines 37, 40  RawHeap.Malloc(32) freed by PoolHeap.Free: 32 B (Raw), every 10th tick
//   BUG 3  resize-with-views  lines 57, 54  Resize(272) of a 256-byte buffer while the view from line 54 is out
//   BUG 4  view-leak          line 69       AcquireView() never disposed; finalized -> ViewLeaked, every 10th tick
//   BUG 5  owner-finalized    line 77       NativeArray<double>(32) never disposed; finalized -> OwnerFinalized, 256 B
using System.Runtime.CompilerServices;
using LeakScope.Allocator;

namespace LeakScope.Samples;

/// <summary>The five bugs LeakyService plants, one method each; see README.md for what a tracer should report.</summary>
internal sealed unsafe class PlantedBugs : IDisposable
{
    private readonly NativeBuffer<byte> _resizedWhileViewed = new(256);
    private readonly NativeBuffer<byte> _viewsLeakedFrom = new(128);

    public long BlockedResizes { get; private set; }

    public long MisusesThrown { get; private set; }

    /// <summary>BUG 1 — leak: a 64-byte request buffer per tick that nothing frees.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void LeakPerTick(long tick)
    {
        byte* request = (byte*)PoolHeap.Malloc(64); // BUG 1: leaked, 64 B, Pool
        *(long*)request = tick;
    }

    /// <summary>BUG 2 — mismatched free: a C-family block handed to the PyMem family's free.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void MismatchedFree()
    {
        void* header = RawHeap.Malloc(32); // BUG 2: allocated by Raw, 32 B
        try
        {
            PoolHeap.Free(header); // BUG 2: freed by Pool (under Report it is freed by Raw after the misuse event)
        }
        catch (AllocatorMisuseException)
        {
            // Only under LEAKSCOPE_MISUSE=throw: the heap was left untouched, so free it correctly.
            MisusesThrown++;
            RawHeap.Free(header);
        }
    }

    /// <summary>BUG 3 — resize while viewed: the buffer protocol refuses it with BufferBusyException.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void ResizeWhileViewed()
    {
        using BufferView<byte> view = _resizedWhileViewed.AcquireView(); // BUG 3: the outstanding view
        try
        {
            _resizedWhileViewed.Resize(_resizedWhileViewed.Length + 16); // BUG 3: blocked resize to 272
        }
        catch (BufferBusyException)
        {
            BlockedResizes++;
        }
    }

    /// <summary>BUG 4 — view leak: a view acquired and dropped; the finalizer releases it and reports ViewLeaked.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void LeakView(long tick)
    {
        BufferView<byte> view = _viewsLeakedFrom.AcquireView(); // BUG 4: never disposed
        view.Span[0] = (byte)tick;
    }

    /// <summary>BUG 5 — owner never disposed: the finalizer frees it and reports OwnerFinalized.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void AbandonOwner(long tick)
    {
        var samples = new NativeArray<double>(32); // BUG 5: never disposed, 256 B, Pool
        samples[0] = tick;
    }

    public void Dispose()
    {
        _resizedWhileViewed.Dispose();
        _viewsLeakedFrom.Dispose();
    }
}
