using System.Runtime.CompilerServices;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Tracked;

/// <summary>
/// The address-keyed records beside the system blocks of the tracked families (<c>NativeMemory</c>, <c>Marshal</c>):
/// the blocks carry no header, so everything a free must check lives here. Each thread records the blocks it allocates
/// in its own table (<see cref="TrackedThread"/>), written without locks or atomic instructions; a free claims the
/// record with one compare-exchange wherever it is, so any thread may free any block and two racing frees of one block
/// cannot both win. A freed block waits in the freeing thread's quarantine before it goes back to the system, so a
/// second free of it is certainly a double free and is never passed on. An address found in no table and no quarantine
/// (allocated by the runtime or by native code, or freed so long ago that the system may have handed it to someone
/// else) is passed through.
/// </summary>
internal static class TrackedBlocks
{
    /// <summary>Frees a thread holds back from the system (at most <see cref="QuarantineBytes"/> bytes of them).</summary>
    internal const int QuarantineCapacity = 32;

    internal const long QuarantineBytes = 256 * 1024;

    /// <summary>Records a block the system has just handed out to the calling thread.</summary>
    public static void Add(nint address, in TrackedBlock block) => TrackedThread.Current.Insert(address, block);

    /// <summary>
    /// The free of a live block of <paramref name="family"/> (any family when <see cref="AllocationFamily.Unknown"/>; only
    /// the block with <paramref name="allocationId"/> when it is not 0): claims its record, moves it into the calling
    /// thread's quarantine and returns it. False when the address is not such a live block (nothing changes then).
    /// </summary>
    public static bool TryQuarantine(nint address, AllocationFamily family, long allocationId, out TrackedBlock block)
    {
        TrackedThread current = TrackedThread.Current;
        return TrackedThread.TryClaimAnywhere(address, family, allocationId, current, out block);
    }

    /// <summary>Takes a live block out of the table for good (a realloc about to move it, or <c>Forget</c>).</summary>
    public static bool TryTake(nint address, long allocationId, out TrackedBlock block) =>
        TrackedThread.TryClaimAnywhere(address, AllocationFamily.Unknown, allocationId, quarantine: null, out block);

    /// <summary>What the table knows about an address: live in a table, held in a quarantine, or unknown.</summary>
    public static TrackedState Find(nint address, out TrackedBlock block) => TrackedThread.Find(address, out block);

    /// <summary>A copy of every live tracked block, for rundown.</summary>
    public static List<LiveBlock> SnapshotLive() => TrackedThread.SnapshotLive();

    /// <summary>Adds every live tracked block to <paramref name="tally"/>, one thread's table at a time.</summary>
    public static void AddLiveTo(SiteTally tally) => TrackedThread.AddLiveTo(tally);
}

/// <summary>A tracked system block: its allocation id, requested size, allocation site and family.</summary>
internal readonly record struct TrackedBlock(long AllocationId, nuint Size, int SiteId, AllocationFamily Family);

internal enum TrackedState : byte
{
    Unknown = 0,
    Live = 1,

    /// <summary>Freed by the program, held back from the system until the quarantine evicts it.</summary>
    Quarantined = 2,
}
