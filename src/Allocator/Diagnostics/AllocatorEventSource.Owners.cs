using System.Diagnostics.Tracing;
using LeakScope.Wire;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// Events of owned memory (<c>NativeArray&lt;T&gt;</c>, <c>NativeBuffer&lt;T&gt;</c>) and of the views a buffer
/// exports. An owner has its own id, drawn from the allocation-id space, that stays the same while its
/// storage block is reallocated; views have ids from the same space. Ids 20–39.
/// </summary>
internal sealed partial class AllocatorEventSource
{
    /// <summary>A view (or a pin) of an owner's storage acquired at <paramref name="SiteId"/>.</summary>
    [Event(WireSchema.EventIds.ViewAcquired, Level = EventLevel.Verbose, Keywords = Keywords.Views, Version = WireSchema.Versions.Initial)]
    private void ViewAcquired(long ViewId, long OwnerId, int SiteId, byte ViewKind) =>
        WriteView(WireSchema.EventIds.ViewAcquired, ViewId, OwnerId, SiteId, ViewKind);

    [NonEvent]
    public void ViewAcquired(long viewId, long ownerId, int siteId, ViewKind kind) => ViewAcquired(viewId, ownerId, siteId, (byte)kind);

    /// <summary>A view released; <paramref name="SiteId"/> is the site that acquired it.</summary>
    [Event(WireSchema.EventIds.ViewReleased, Level = EventLevel.Verbose, Keywords = Keywords.Views, Version = WireSchema.Versions.Initial)]
    private void ViewReleased(long ViewId, long OwnerId, int SiteId, byte ViewKind) =>
        WriteView(WireSchema.EventIds.ViewReleased, ViewId, OwnerId, SiteId, ViewKind);

    [NonEvent]
    public void ViewReleased(long viewId, long ownerId, int siteId, ViewKind kind) => ViewReleased(viewId, ownerId, siteId, (byte)kind);

    /// <summary>A resize or append refused because views are outstanding; one <c>ResizeBlockedView</c> per view follows.</summary>
    [Event(WireSchema.EventIds.ResizeBlocked, Level = EventLevel.Warning, Keywords = Keywords.Views, Version = WireSchema.Versions.Initial)]
    public void ResizeBlocked(long OwnerId, int SiteId, long RequestedLength, int OutstandingViews) =>
        WriteResizeBlocked(OwnerId, SiteId, RequestedLength, OutstandingViews);

    /// <summary>One outstanding view of a blocked resize, with the site that acquired it.</summary>
    [Event(WireSchema.EventIds.ResizeBlockedView, Level = EventLevel.Warning, Keywords = Keywords.Views, Version = WireSchema.Versions.Initial)]
    public void ResizeBlockedView(long OwnerId, long ViewId, int AcquireSiteId) =>
        WriteResizeBlockedView(OwnerId, ViewId, AcquireSiteId);

    /// <summary>A view reclaimed by the finalizer without being released.</summary>
    [Event(WireSchema.EventIds.ViewLeaked, Level = EventLevel.Warning, Keywords = Keywords.Views, Version = WireSchema.Versions.Initial)]
    private void ViewLeaked(long ViewId, long OwnerId, int SiteId, byte ViewKind) =>
        WriteView(WireSchema.EventIds.ViewLeaked, ViewId, OwnerId, SiteId, ViewKind);

    [NonEvent]
    public void ViewLeaked(long viewId, long ownerId, int acquireSiteId, ViewKind kind) => ViewLeaked(viewId, ownerId, acquireSiteId, (byte)kind);

    /// <summary>An owner created at <paramref name="SiteId"/> whose storage is block <paramref name="AllocationId"/>.</summary>
    [Event(WireSchema.EventIds.OwnerCreated, Level = EventLevel.Verbose, Keywords = Keywords.Owners, Version = WireSchema.Versions.Initial)]
    private void OwnerCreated(long OwnerId, byte OwnerKind, int SiteId, long AllocationId) =>
        WriteOwner(WireSchema.EventIds.OwnerCreated, OwnerId, OwnerKind, SiteId, AllocationId);

    [NonEvent]
    public void OwnerCreated(long ownerId, OwnerKind kind, int siteId, long allocationId) => OwnerCreated(ownerId, (byte)kind, siteId, allocationId);

    /// <summary>An owner disposed at <paramref name="SiteId"/>.</summary>
    [Event(WireSchema.EventIds.OwnerDisposed, Level = EventLevel.Verbose, Keywords = Keywords.Owners, Version = WireSchema.Versions.Initial)]
    private void OwnerDisposed(long OwnerId, byte OwnerKind, int SiteId, long AllocationId) =>
        WriteOwner(WireSchema.EventIds.OwnerDisposed, OwnerId, OwnerKind, SiteId, AllocationId);

    [NonEvent]
    public void OwnerDisposed(long ownerId, OwnerKind kind, int siteId, long allocationId) => OwnerDisposed(ownerId, (byte)kind, siteId, allocationId);

    /// <summary>An owner reclaimed by its finalizer instead of <c>Dispose</c>; <paramref name="SiteId"/> is where it was created.</summary>
    [Event(WireSchema.EventIds.OwnerFinalized, Level = EventLevel.Warning, Keywords = Keywords.Owners, Version = WireSchema.Versions.Initial)]
    private void OwnerFinalized(long OwnerId, byte OwnerKind, int SiteId, long AllocationId, long Bytes, byte Family)
    {
        WriteOwnerFinalized(OwnerId, OwnerKind, SiteId, AllocationId, Bytes, Family);
    }

    [NonEvent]
    public void OwnerFinalized(long ownerId, OwnerKind kind, int siteId, long allocationId, nuint bytes, AllocationFamily family) =>
        OwnerFinalized(ownerId, (byte)kind, siteId, allocationId, (long)bytes, (byte)family);

    [NonEvent]
    private unsafe void WriteView(int eventId, long viewId, long ownerId, int siteId, byte kind)
    {
        EventData* data = stackalloc EventData[4];
        Set(ref data[0], &viewId);
        Set(ref data[1], &ownerId);
        Set(ref data[2], &siteId);
        Set(ref data[3], &kind);
        WriteEventCore(eventId, 4, data);
    }

    [NonEvent]
    private unsafe void WriteOwner(int eventId, long ownerId, byte kind, int siteId, long allocationId)
    {
        EventData* data = stackalloc EventData[4];
        Set(ref data[0], &ownerId);
        Set(ref data[1], &kind);
        Set(ref data[2], &siteId);
        Set(ref data[3], &allocationId);
        WriteEventCore(eventId, 4, data);
    }

    [NonEvent]
    private unsafe void WriteOwnerFinalized(long ownerId, byte kind, int siteId, long allocationId, long bytes, byte family)
    {
        EventData* data = stackalloc EventData[6];
        Set(ref data[0], &ownerId);
        Set(ref data[1], &kind);
        Set(ref data[2], &siteId);
        Set(ref data[3], &allocationId);
        Set(ref data[4], &bytes);
        Set(ref data[5], &family);
        WriteEventCore(WireSchema.EventIds.OwnerFinalized, 6, data);
    }
}

/// <summary>What kind of owner an owner event concerns. Crosses the wire: never renumber.</summary>
internal enum OwnerKind : byte
{
    Unknown = WireOwnerKind.Unknown,
    NativeArray = WireOwnerKind.NativeArray,
    NativeBuffer = WireOwnerKind.NativeBuffer,
}

/// <summary>How a view was acquired. Crosses the wire: never renumber.</summary>
internal enum ViewKind : byte
{
    Unknown = WireViewKind.Unknown,

    /// <summary><c>NativeBuffer.AcquireView()</c>.</summary>
    View = WireViewKind.View,

    /// <summary><c>Memory.Pin()</c> on a buffer's memory.</summary>
    Pin = WireViewKind.Pin,

    /// <summary>A strided (multi-dimensional) view over a buffer.</summary>
    Strided = WireViewKind.Strided,
}
