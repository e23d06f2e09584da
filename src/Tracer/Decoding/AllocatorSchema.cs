using LeakScope.Wire;
using Microsoft.Diagnostics.Tracing.Session;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// What this tracer knows of the <c>LeakScope-Allocator</c> event schema: the provider, the event ids and
/// the newest version of each it can read, all taken from <see cref="WireSchema"/> (src/Wire), the definition the
/// allocator compiles from too. The tracer's own code reads <see cref="WireSchema"/> directly; <see cref="Keywords"/> and
/// <see cref="EventIds"/> are the public face of the same constants, for callers of this library. The schema only grows (new fields last, bumped version), so
/// every version up to the one known here decodes; a newer one is refused by name.
/// </summary>
public static class AllocatorSchema
{
    /// <summary>The EventSource name, <c>LeakScope-Allocator</c>.</summary>
    public const string ProviderName = WireSchema.ProviderName;

    /// <summary>The EventSource GUID derived from the name, as EventSource itself derives it.</summary>
    public static readonly Guid ProviderGuid = TraceEventProviders.GetEventSourceGuidFromName(ProviderName);

    /// <summary>Every keyword of the per-operation mode: allocations, views, misuse, sites, diagnostics, owners (not Batched).</summary>
    public const long PerOperationKeywords = Keywords.Allocations | Keywords.Views | Keywords.Misuse | Keywords.Sites | Keywords.Diagnostics | Keywords.Owners;

    /// <summary>
    /// The high-rate mode, LeakScope's default: block operations as batches of compact records (<see cref="Keywords.Batched"/>)
    /// and everything else as events. <see cref="Keywords.Allocations"/> stays off: a session that enables it gets per-operation events instead.
    /// </summary>
    public const long BatchedKeywords = Keywords.Batched | Keywords.Views | Keywords.Misuse | Keywords.Sites | Keywords.Diagnostics | Keywords.Owners;

    /// <summary>The provider argument (EventPipe filter data) that names the exit file (docs/exit-file.md).</summary>
    public const string ExitFileArgument = WireSchema.ExitFileArgument;

    /// <summary>The keywords a session enables, one per concern (docs/wire-schema.md).</summary>
    public static class Keywords
    {
        /// <summary>Per-operation block events, and the rundown of live blocks.</summary>
        public const long Allocations = WireSchema.Keywords.Allocations;
        /// <summary>View acquire and release, refused resizes, view leaks.</summary>
        public const long Views = WireSchema.Keywords.Views;
        /// <summary>Misuse caught in-process.</summary>
        public const long Misuse = WireSchema.Keywords.Misuse;
        /// <summary>Site definitions: file, line and member of each site id.</summary>
        public const long Sites = WireSchema.Keywords.Sites;
        /// <summary>The heartbeat with the target's authoritative counts.</summary>
        public const long Diagnostics = WireSchema.Keywords.Diagnostics;
        /// <summary>Owned arrays and buffers: created, disposed, reclaimed by the finalizer.</summary>
        public const long Owners = WireSchema.Keywords.Owners;
        /// <summary>The high-rate mode: compact records published in batches.</summary>
        public const long Batched = WireSchema.Keywords.Batched;
    }

    /// <summary>The event ids: 1–9 block events, 10–19 the batched mode and its flush at detach, 20–39 owners and views. Never reused.</summary>
    public static class EventIds
    {
        /// <summary><c>SiteDefined</c>: a site id's file, line and member.</summary>
        public const int SiteDefined = WireSchema.EventIds.SiteDefined;
        /// <summary><c>BlockAllocated</c>: a block and its site.</summary>
        public const int BlockAllocated = WireSchema.EventIds.BlockAllocated;
        /// <summary><c>BlockFreed</c>: a block freed, with the freeing site.</summary>
        public const int BlockFreed = WireSchema.EventIds.BlockFreed;
        /// <summary><c>BlockReallocated</c>: a block replaced by another (old and new id, address, size, family).</summary>
        public const int BlockReallocated = WireSchema.EventIds.BlockReallocated;
        /// <summary><c>Misuse</c>: a misuse caught in-process.</summary>
        public const int Misuse = WireSchema.EventIds.Misuse;
        /// <summary><c>RundownStart</c>: the blocks live when the session began follow.</summary>
        public const int RundownStart = WireSchema.EventIds.RundownStart;
        /// <summary><c>RundownBlock</c>: one block that was live when the session began.</summary>
        public const int RundownBlock = WireSchema.EventIds.RundownBlock;
        /// <summary><c>RundownStop</c>: the rundown's end, with its block and byte totals.</summary>
        public const int RundownStop = WireSchema.EventIds.RundownStop;
        /// <summary><c>Heartbeat</c>: the target's live counts per family and its cumulative totals.</summary>
        public const int Heartbeat = WireSchema.EventIds.Heartbeat;
        /// <summary><c>AllocationBatch</c>: a batch of compact records (the high-rate mode).</summary>
        public const int AllocationBatch = WireSchema.EventIds.AllocationBatch;
        /// <summary><c>DetachFlushed</c>: the target flushed its records for a detaching tracer; the heartbeat it names follows.</summary>
        public const int DetachFlushed = WireSchema.EventIds.DetachFlushed;
        /// <summary><c>ViewAcquired</c>: a view of an owner was acquired.</summary>
        public const int ViewAcquired = WireSchema.EventIds.ViewAcquired;
        /// <summary><c>ViewReleased</c>: a view was released.</summary>
        public const int ViewReleased = WireSchema.EventIds.ViewReleased;
        /// <summary><c>ResizeBlocked</c>: a resize refused because views were outstanding.</summary>
        public const int ResizeBlocked = WireSchema.EventIds.ResizeBlocked;
        /// <summary><c>ResizeBlockedView</c>: one view outstanding during a refused resize.</summary>
        public const int ResizeBlockedView = WireSchema.EventIds.ResizeBlockedView;
        /// <summary><c>ViewLeaked</c>: a view reclaimed by the finalizer instead of disposed.</summary>
        public const int ViewLeaked = WireSchema.EventIds.ViewLeaked;
        /// <summary><c>OwnerCreated</c>: a <c>NativeArray</c> or <c>NativeBuffer</c> and its storage.</summary>
        public const int OwnerCreated = WireSchema.EventIds.OwnerCreated;
        /// <summary><c>OwnerDisposed</c>: an owner disposed.</summary>
        public const int OwnerDisposed = WireSchema.EventIds.OwnerDisposed;
        /// <summary><c>OwnerFinalized</c>: an owner reclaimed by the finalizer.</summary>
        public const int OwnerFinalized = WireSchema.EventIds.OwnerFinalized;
    }

    /// <summary>The name of an event id, for messages.</summary>
    public static string NameOf(int eventId) => WireSchema.NameOf(eventId);
}
