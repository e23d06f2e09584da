using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeakScope.Benchmarks.Ratios;

// What any interception that keeps the contract of docs/interception.md must add to a NativeMemory pair, built up in
// three hand-written steps so the interception table can show the floor beside what TrackedNativeMemory costs. None of
// this is product code: these sketches are single-threaded (no claim against another thread's free, no growth, no
// events), so they are a lower bound, not an alternative implementation.

/// <summary>
/// Per-thread bookkeeping of the sketches below: one <c>[ThreadStatic]</c> object, as TrackedNativeMemory has (its
/// blocks are the system's, so there is no header to reach per-thread state through; the thread-static read is it).
/// </summary>
internal sealed class FloorThread
{
    public const int TableSize = 256;
    public const int QuarantineSize = 32;
    public const nint Deleted = -1;

    [ThreadStatic]
    private static FloorThread? t_current;

    public readonly FloorRecord[] Table = new FloorRecord[TableSize];
    public readonly FloorRecord[] Quarantine = new FloorRecord[QuarantineSize];
    public readonly nint[] QuarantinedAddresses = new nint[QuarantineSize];
    public int Head;
    public long NextId;
    public long LiveBytes;
    public long Allocations;
    public long Frees;

    public static FloorThread Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current ??= new FloorThread();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Start(nint address) => (int)(((ulong)address * 0x9E3779B97F4A7C15UL) >> 56);
}

internal struct FloorRecord
{
    public nint Key;
    public long AllocationId;
    public nuint Size;
    public int SiteId;
    public byte Family;
}

/// <summary>Step 1: <c>NativeMemory</c> plus a read of the thread's bookkeeping object on each call (a counter bumped).</summary>
internal unsafe struct NativeWithThreadState : IHeap
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint size)
    {
        FloorThread.Current.Allocations++;
        return NativeMemory.Alloc(size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* AllocAt(nuint size, string file, int line, string member) => Alloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block)
    {
        FloorThread.Current.Frees++;
        NativeMemory.Free(block);
    }
}

/// <summary>
/// Step 2: step 1 plus the quarantine alone — each free gives back the block freed 32 frees earlier (addresses only, no
/// records): what holding freed blocks back, so that a second free of one is caught and not passed on, costs glibc.
/// </summary>
internal unsafe struct NativeWithQuarantine : IHeap
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint size) => NativeWithThreadState.Alloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* AllocAt(nuint size, string file, int line, string member) => Alloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block)
    {
        FloorThread thread = FloorThread.Current;
        nint[] ring = thread.QuarantinedAddresses;
        int head = thread.Head;
        nint evicted = ring[head];
        ring[head] = (nint)block;
        thread.Head = (head + 1) & (FloorThread.QuarantineSize - 1);
        NativeMemory.Free((void*)evicted);
    }
}

/// <summary>
/// Step 3, the floor: step 1, an address-keyed record per live block (id, size, site, family; open addressing, one
/// thread), the family counters, and on free the record checked and moved into a 32-entry quarantine whose oldest block
/// is given back — the least a tracked pair does under the contract, without the claim that makes it safe across threads.
/// </summary>
internal unsafe struct MinimalTracking : IHeap
{
    private const byte Native = 3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint size)
    {
        nint address = (nint)NativeMemory.Alloc(size);
        FloorThread thread = FloorThread.Current;
        ref FloorRecord first = ref MemoryMarshal.GetArrayDataReference(thread.Table);
        for (int i = FloorThread.Start(address); ; i = (i + 1) & (FloorThread.TableSize - 1))
        {
            ref FloorRecord slot = ref Unsafe.Add(ref first, i);
            if (slot.Key == 0 || slot.Key == FloorThread.Deleted)
            {
                slot.AllocationId = ++thread.NextId;
                slot.Size = size;
                slot.SiteId = 7;
                slot.Family = Native;
                Volatile.Write(ref slot.Key, address);
                break;
            }
        }

        thread.LiveBytes += (long)size;
        thread.Allocations++;
        return (void*)address;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* AllocAt(nuint size, string file, int line, string member) => Alloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block)
    {
        nint address = (nint)block;
        FloorThread thread = FloorThread.Current;
        ref FloorRecord first = ref MemoryMarshal.GetArrayDataReference(thread.Table);
        for (int i = FloorThread.Start(address); ; i = (i + 1) & (FloorThread.TableSize - 1))
        {
            ref FloorRecord slot = ref Unsafe.Add(ref first, i);
            if (slot.Key == address && slot.Family == Native)
            {
                ref FloorRecord head = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(thread.Quarantine), thread.Head);
                nint evicted = head.Key;
                head.AllocationId = slot.AllocationId;
                head.Size = slot.Size;
                head.SiteId = slot.SiteId;
                head.Family = slot.Family;
                head.Key = address;
                thread.Head = (thread.Head + 1) & (FloorThread.QuarantineSize - 1);
                thread.LiveBytes -= (long)slot.Size;
                thread.Frees++;
                bool endsChain = Unsafe.Add(ref first, (i + 1) & (FloorThread.TableSize - 1)).Key == 0;
                Volatile.Write(ref slot.Key, endsChain ? 0 : FloorThread.Deleted);
                NativeMemory.Free((void*)evicted);
                return;
            }

            if (slot.Key == 0)
            {
                throw new InvalidOperationException("The floor sketch freed a block it never recorded.");
            }
        }
    }
}
