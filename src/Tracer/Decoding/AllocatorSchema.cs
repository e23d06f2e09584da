using LeakScope.Wire;
using Microsoft.Diagnostics.Tracing.Session;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// What this tracer knows of the <c>LeakScope-Allocator</c> event schema: the provider, the event ids and
/// the newest version of each it can read, all taken from <see cref="WireSchema"/> (src/Wire), the definition the
/// allocator compiles from too. The schema only grows (new fields last, bumped version), so
/// every version up to the one known here decodes; a newer one is refused by name.
/// </summary>
public static class AllocatorSchema
{
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

    public static class Keywords
    {
        public const long Allocations = WireSchema.Keywords.Allocations;
        public const long Views = WireSchema.Keywords.Views;
        public const long Misuse = WireSchema.Keywords.Misuse;
        public const long Sites = WireSchema.Keywords.Sites;
        public const long Diagnostics = WireSchema.Keywords.Diagnostics;
        public const long Owners = WireSchema.Keywords.Owners;
        public const long Batched = WireSchema.Keywords.Batched;
        public const long Stacks = WireSchema.Keywords.Stacks;
    }

    public static class EventIds
    {
        public const int SiteDefined = WireSchema.EventIds.SiteDefined;
        public const int BlockAllocated = WireSchema.EventIds.BlockAllocated;
        public const int BlockFreed = WireSchema.EventIds.BlockFreed;
        public const int BlockReallocated = WireSchema.EventIds.BlockReallocated;
        public const int Misuse = WireSchema.EventIds.Misuse;
        public const int RundownStart = WireSchema.EventIds.RundownStart;
        public const int RundownBlock = WireSchema.EventIds.RundownBlock;
        public const int RundownStop = WireSchema.EventIds.RundownStop;
        public const int Heartbeat = WireSchema.EventIds.Heartbeat;
        public const int AllocationBatch = WireSchema.EventIds.AllocationBatch;
        public const int ViewAcquired = WireSchema.EventIds.ViewAcquired;
        public const int ViewReleased = WireSchema.EventIds.ViewReleased;
        public const int ResizeBlocked = WireSchema.EventIds.ResizeBlocked;
        public const int ResizeBlockedView = WireSchema.EventIds.ResizeBlockedView;
        public const int ViewLeaked = WireSchema.EventIds.ViewLeaked;
        public const int OwnerCreated = WireSchema.EventIds.OwnerCreated;
        public const int OwnerDisposed = WireSchema.EventIds.OwnerDisposed;
        public const int OwnerFinalized = WireSchema.EventIds.OwnerFinalized;
        public const int StackSample = WireSchema.EventIds.StackSample;
    }

    /// <summary>The name of an event id, for messages.</summary>
    public static string NameOf(int eventId) => WireSchema.NameOf(eventId);
}
