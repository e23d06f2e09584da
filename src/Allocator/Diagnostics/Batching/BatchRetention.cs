using System.Runtime.InteropServices;

namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>
/// A copy of the most recently published batches (the last <see cref="CapacityBytes"/>), replayed into the exit
/// file. When the process exits, the runtime stops the EventPipe session some time before the event source learns
/// of it (it first flushes the session's buffers to the tracer), and every event written in between is dropped
/// without a trace — measured: a heartbeat's batch published in that window never arrived. The exit file
/// therefore repeats the recent batches; the tracer recognises the ones it has by their
/// <see cref="BatchRecord.Header"/> and keeps the rest. Entries are <c>[int32 length][batch]</c> in a native
/// ring; the oldest are overwritten first.
/// </summary>
internal static unsafe class BatchRetention
{
    public const int CapacityBytes = 4 << 20;

    private static readonly Lock s_lock = new();
    private static byte* s_ring;
    private static int s_head;
    private static int s_tail;
    private static int s_used;

    /// <summary>Keeps a copy of a batch about to be published.</summary>
    public static void Keep(byte* batch, int length)
    {
        int needed = sizeof(int) + length;
        if (needed > CapacityBytes)
        {
            return;
        }

        lock (s_lock)
        {
            if (s_ring is null)
            {
                s_ring = (byte*)NativeMemory.Alloc(CapacityBytes);
            }

            while (s_used + needed > CapacityBytes)
            {
                int oldest;
                Copy((byte*)&oldest, s_tail, sizeof(int));
                int entry = sizeof(int) + oldest;
                s_tail = (s_tail + entry) % CapacityBytes;
                s_used -= entry;
            }

            Put((byte*)&length, sizeof(int));
            Put(batch, length);
            s_used += needed;
        }
    }

    /// <summary>Forgets everything (a new session starts: its batch sequences start again at 1).</summary>
    public static void Clear()
    {
        lock (s_lock)
        {
            s_head = 0;
            s_tail = 0;
            s_used = 0;
        }
    }

    /// <summary>Writes every retained batch, oldest first, to <paramref name="output"/>.</summary>
    public static void ReplayTo(IBatchOutput output)
    {
        lock (s_lock)
        {
            if (s_used == 0)
            {
                return;
            }

            byte* batch = (byte*)NativeMemory.Alloc((nuint)CapacityBytes);
            try
            {
                int at = s_tail;
                int left = s_used;
                while (left > 0)
                {
                    int length;
                    Copy((byte*)&length, at, sizeof(int));
                    Copy(batch, (at + sizeof(int)) % CapacityBytes, length);
                    output.Write(batch, length);
                    at = (at + sizeof(int) + length) % CapacityBytes;
                    left -= sizeof(int) + length;
                }
            }
            finally
            {
                NativeMemory.Free(batch);
            }
        }
    }

    /// <summary>Appends at the head, wrapping around the end of the ring.</summary>
    private static void Put(byte* source, int length)
    {
        int first = Math.Min(length, CapacityBytes - s_head);
        Buffer.MemoryCopy(source, s_ring + s_head, first, first);
        Buffer.MemoryCopy(source + first, s_ring, length - first, length - first);
        s_head = (s_head + length) % CapacityBytes;
    }

    /// <summary>Reads <paramref name="length"/> bytes starting at ring offset <paramref name="at"/>, wrapping around.</summary>
    private static void Copy(byte* destination, int at, int length)
    {
        int first = Math.Min(length, CapacityBytes - at);
        Buffer.MemoryCopy(s_ring + at, destination, first, first);
        Buffer.MemoryCopy(s_ring, destination + first, length - first, length - first);
    }
}
