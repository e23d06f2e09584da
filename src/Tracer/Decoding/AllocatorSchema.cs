using Microsoft.Diagnostics.Tracing.Session;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// What this tracer knows of the <c>LeakScope-Allocator</c> event schema: the provider, the event ids and
/// the newest version of each it can read. The schema only grows (new fields last, bumped version), so
/// every version up to the one known here decodes; a newer one is refused by name.
/// </summary>
public static class AllocatorSchema
{
    public const string ProviderName = "LeakScope-Allocator";

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
    public const string ExitFileArgument = "ExitFile";

    public static class Keywords
    {
        public const long Allocations = 0x1;
        public const long Views = 0x2;
        public const long Misuse = 0x4;
        public const long Sites = 0x8;
        public const long Diagnostics = 0x10;
        public const long Owners = 0x20;
        public const long Batched = 0x40;
    }

    public static class EventIds
    {
        public const int SiteDefined = 1;
        public const int BlockAllocated = 2;
        public const int BlockFreed = 3;
        public const int BlockReallocated = 4;
        public const int Misuse = 5;
        public const int RundownStart = 6;
        public const int RundownBlock = 7;
        public const int RundownStop = 8;
        public const int Heartbeat = 9;
        public const int AllocationBatch = 10;
        public const int ViewAcquired = 20;
        public const int ViewReleased = 21;
        public const int ResizeBlocked = 22;
        public const int ResizeBlockedView = 23;
        public const int ViewLeaked = 24;
        public const int OwnerCreated = 25;
        public const int OwnerDisposed = 26;
        public const int OwnerFinalized = 27;
    }

    /// <summary>The name of an event id, for messages.</summary>
    public static string NameOf(int eventId) => eventId switch
    {
        EventIds.SiteDefined => "SiteDefined",
        EventIds.BlockAllocated => "BlockAllocated",
        EventIds.BlockFreed => "BlockFreed",
        EventIds.BlockReallocated => "BlockReallocated",
        EventIds.Misuse => "Misuse",
        EventIds.RundownStart => "RundownStart",
        EventIds.RundownBlock => "RundownBlock",
        EventIds.RundownStop => "RundownStop",
        EventIds.Heartbeat => "Heartbeat",
        EventIds.AllocationBatch => "AllocationBatch",
        EventIds.ViewAcquired => "ViewAcquired",
        EventIds.ViewReleased => "ViewReleased",
        EventIds.ResizeBlocked => "ResizeBlocked",
        EventIds.ResizeBlockedView => "ResizeBlockedView",
        EventIds.ViewLeaked => "ViewLeaked",
        EventIds.OwnerCreated => "OwnerCreated",
        EventIds.OwnerDisposed => "OwnerDisposed",
        EventIds.OwnerFinalized => "OwnerFinalized",
        _ => $"event {eventId}",
    };
}
