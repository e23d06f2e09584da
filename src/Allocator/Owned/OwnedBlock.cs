using System.Diagnostics.Tracing;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.Heaps;
using LeakScope.Wire;

namespace LeakScope.Allocator;

/// <summary>
/// The storage of an owner (<see cref="NativeArray{T}"/>, <see cref="NativeBuffer{T}"/>): one normal block
/// allocated through the block engine at the owner's creation site, plus the owner's identity. The owner id
/// comes from the allocation-id space and stays the same while the block is reallocated (each realloc gives
/// the block a new allocation id through the ordinary <c>BlockReallocated</c> event).
/// Held as a mutable field of its owner; the owner decides when each member may run.
/// </summary>
internal unsafe struct OwnedBlock
{
    private nint _pointer;

    private OwnedBlock(nint pointer, nuint bytes, AllocationFamily family, OwnerKind kind, long ownerId, int siteId)
    {
        _pointer = pointer;
        Bytes = bytes;
        Family = family;
        Kind = kind;
        OwnerId = ownerId;
        SiteId = siteId;
    }

    /// <summary>The block's size in bytes (its capacity; the owner may use fewer).</summary>
    public nuint Bytes { readonly get; private set; }

    public readonly AllocationFamily Family { get; }

    public readonly OwnerKind Kind { get; }

    public readonly long OwnerId { get; }

    /// <summary>Where the owner was created.</summary>
    public readonly int SiteId { get; }

    /// <summary>The owner's <see cref="OwnerRegistry.NextTicket"/>, taken before it decided whether to publish itself.</summary>
    public long CreationTicket { readonly get; private init; }

    /// <summary>The storage, or null once it has been freed.</summary>
    public readonly byte* Pointer => (byte*)Volatile.Read(in _pointer);

    public readonly bool IsFreed => Pointer == null;

    /// <summary>Allocates the storage at the caller's site, gives the owner its id and publishes <c>OwnerCreated</c>.</summary>
    public static OwnedBlock Create(OwnerKind kind, AllocationFamily family, nuint bytes, bool zero, string file, int line, string member)
    {
        if (family is not (AllocationFamily.Raw or AllocationFamily.Pool))
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "An owner's storage comes from the Raw or the Pool family.");
        }

        void* pointer = BlockEngine.Allocate(family, bytes, zero, file, line, member);
        if (pointer == null)
        {
            throw new OutOfMemoryException($"LeakScope could not allocate {bytes} bytes for a {kind}.");
        }

        ThreadHeap heap = ThreadHeap.Current;
        var block = new OwnedBlock((nint)pointer, bytes, family, kind, heap.NextAllocationId(), heap.Sites.Lookup(file, line, member))
        {
            CreationTicket = OwnerRegistry.NextTicket(),
        };
        AllocatorEventSource log = AllocatorEventSource.Log;
        if (log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Owners))
        {
            log.OwnerCreated(block.OwnerId, kind, block.SiteId, AllocationIdOf(pointer));
        }

        StackSampler.Always(WireStackOperation.CreateOwner, block.OwnerId, bytes, block.SiteId);
        return block;
    }

    /// <summary>
    /// Reallocates the storage to <paramref name="bytes"/> at the caller's site. On failure throws
    /// <see cref="OutOfMemoryException"/> and the old storage stays as it was (C <c>realloc</c> semantics).
    /// </summary>
    public void Reallocate(nuint bytes, string file, int line, string member)
    {
        void* old = Pointer;
        if (bytes == 0)
        {
            // C realloc(p, 0) frees and returns null; an owner always keeps a block, so an empty one is
            // allocated at this site and the old one freed here (a BlockAllocated and a BlockFreed event).
            void* empty = BlockEngine.Allocate(Family, 0, zero: false, file, line, member);
            if (empty == null)
            {
                throw new OutOfMemoryException($"LeakScope could not allocate an empty block for a {Kind}.");
            }

            BlockEngine.Free(Family, old, file, line, member);
            _pointer = (nint)empty;
            Bytes = 0;
            return;
        }

        void* moved = BlockEngine.Reallocate(Family, old, bytes, file, line, member);
        if (moved == null)
        {
            throw new OutOfMemoryException($"LeakScope could not reallocate a {Kind} to {bytes} bytes.");
        }

        _pointer = (nint)moved;
        Bytes = bytes;
    }

    /// <summary>Publishes <c>OwnerDisposed</c>. The owner's <c>Dispose()</c> carries no caller info, so the event names the creation site.</summary>
    public readonly void PublishDisposed()
    {
        OwnerRegistry.Remove(OwnerId);
        AllocatorEventSource log = AllocatorEventSource.Log;
        if (log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Owners))
        {
            log.OwnerDisposed(OwnerId, Kind, SiteId, AllocationIdOf(Pointer));
        }
    }

    /// <summary>Publishes <c>OwnerFinalized</c> for an owner the finalizer reclaims; the free event follows.</summary>
    public readonly void PublishFinalized()
    {
        OwnerRegistry.Remove(OwnerId);
        AllocatorEventSource log = AllocatorEventSource.Log;
        if (log.IsEnabled(EventLevel.Warning, AllocatorEventSource.Keywords.Owners))
        {
            log.OwnerFinalized(OwnerId, Kind, SiteId, AllocationIdOf(Pointer), Bytes, Family);
        }
    }

    /// <summary>
    /// Frees the storage once, whoever calls first (Dispose, the last view's release, or the finalizer);
    /// later calls do nothing. The free is sited at the owner's creation site.
    /// </summary>
    public bool Free()
    {
        nint pointer = Interlocked.Exchange(ref _pointer, 0);
        if (pointer == 0)
        {
            return false;
        }

        SiteInfo site = SiteRegistry.Get(SiteId);
        BlockEngine.Free(Family, (void*)pointer, site.File, site.Line, site.Member);
        return true;
    }

    /// <summary>The storage block's current allocation id, or 0 once it is freed.</summary>
    public readonly long AllocationId => AllocationIdOf(Pointer);

    /// <summary>The allocation id of a live block the engine handed out, or 0 when there is none.</summary>
    private static long AllocationIdOf(void* pointer)
    {
        if (pointer == null)
        {
            return 0;
        }

        nint user = (nint)pointer;
        Arena? arena = ArenaMap.Find(user);
        if (arena is not null)
        {
            BlockHeader* header = arena.TryGetHeader(user);
            return header == null ? 0 : Volatile.Read(ref header->AllocationId);
        }

        return LargeBlocks.TryGetLive(user, out LargeBlock large) ? large.AllocationId : 0;
    }
}
