using System.Diagnostics.Tracing;
using LeakScope.Wire;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>The shared <c>WriteEventCore</c> overloads: one per payload shape, not one per event.</summary>
internal sealed partial class AllocatorEventSource
{
    [NonEvent]
    private unsafe void WriteBlock(int eventId, long allocationId, long address, long size, int siteId, byte family)
    {
        EventData* data = stackalloc EventData[5];
        Set(ref data[0], &allocationId);
        Set(ref data[1], &address);
        Set(ref data[2], &size);
        Set(ref data[3], &siteId);
        Set(ref data[4], &family);
        WriteEventCore(eventId, 5, data);
    }

    [NonEvent]
    private unsafe void WriteRealloc(long oldId, long oldAddress, long oldSize, byte oldFamily, long newId, long newAddress, long newSize, byte newFamily, int siteId)
    {
        EventData* data = stackalloc EventData[9];
        Set(ref data[0], &oldId);
        Set(ref data[1], &oldAddress);
        Set(ref data[2], &oldSize);
        Set(ref data[3], &oldFamily);
        Set(ref data[4], &newId);
        Set(ref data[5], &newAddress);
        Set(ref data[6], &newSize);
        Set(ref data[7], &newFamily);
        Set(ref data[8], &siteId);
        WriteEventCore(WireSchema.EventIds.BlockReallocated, 9, data);
    }

    [NonEvent]
    private unsafe void WriteMisuse(byte kind, byte blockFamily, byte callerFamily, long allocationId, long address, long size, int siteId, int allocationSiteId)
    {
        EventData* data = stackalloc EventData[8];
        Set(ref data[0], &kind);
        Set(ref data[1], &blockFamily);
        Set(ref data[2], &callerFamily);
        Set(ref data[3], &allocationId);
        Set(ref data[4], &address);
        Set(ref data[5], &size);
        Set(ref data[6], &siteId);
        Set(ref data[7], &allocationSiteId);
        WriteEventCore(WireSchema.EventIds.Misuse, 8, data);
    }

    [NonEvent]
    private unsafe void WriteHeartbeat(ReadOnlySpan<long> counts, int flags)
    {
        // counts: Sequence, the raw and pool counts, MisuseCount, then the tracked families' counts; Flags sits between
        // MisuseCount and the tracked families (it was the last field of version 1).
        const int BeforeFlags = WireSchema.Versions.HeartbeatVersion1Fields - 1;
        fixed (long* values = counts)
        {
            EventData* data = stackalloc EventData[counts.Length + 1];
            for (int i = 0; i < BeforeFlags; i++)
            {
                Set(ref data[i], values + i);
            }

            Set(ref data[BeforeFlags], &flags);
            for (int i = BeforeFlags; i < counts.Length; i++)
            {
                Set(ref data[i + 1], values + i);
            }

            WriteEventCore(WireSchema.EventIds.Heartbeat, counts.Length + 1, data);
        }
    }

    [NonEvent]
    private unsafe void WriteSite(int siteId, string file, int line, string member, int fileLength, int memberLength)
    {
        fixed (char* filePtr = file)
        fixed (char* memberPtr = member)
        {
            EventData* data = stackalloc EventData[6];
            Set(ref data[0], &siteId);
            data[1] = new EventData { DataPointer = (nint)filePtr, Size = (file.Length + 1) * sizeof(char) };
            Set(ref data[2], &line);
            data[3] = new EventData { DataPointer = (nint)memberPtr, Size = (member.Length + 1) * sizeof(char) };
            Set(ref data[4], &fileLength);
            Set(ref data[5], &memberLength);
            WriteEventCore(WireSchema.EventIds.SiteDefined, 6, data);
        }
    }

    [NonEvent]
    private unsafe void WriteResizeBlocked(long ownerId, int siteId, long requestedLength, int outstandingViews)
    {
        EventData* data = stackalloc EventData[4];
        Set(ref data[0], &ownerId);
        Set(ref data[1], &siteId);
        Set(ref data[2], &requestedLength);
        Set(ref data[3], &outstandingViews);
        WriteEventCore(WireSchema.EventIds.ResizeBlocked, 4, data);
    }

    [NonEvent]
    private unsafe void WriteResizeBlockedView(long ownerId, long viewId, int acquireSiteId)
    {
        EventData* data = stackalloc EventData[3];
        Set(ref data[0], &ownerId);
        Set(ref data[1], &viewId);
        Set(ref data[2], &acquireSiteId);
        WriteEventCore(WireSchema.EventIds.ResizeBlockedView, 3, data);
    }

    [NonEvent]
    private static unsafe void Set<T>(ref EventData slot, T* value)
        where T : unmanaged
    {
        slot.DataPointer = (nint)value;
        slot.Size = sizeof(T);
    }
}
