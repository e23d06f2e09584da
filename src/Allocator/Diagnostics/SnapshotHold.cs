using System.Buffers.Binary;
using System.Net.Sockets;
using LeakScope.Allocator.Heaps;
using LeakScope.Wire;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// The allocator's half of a reachability snapshot (docs/reachability.md). A tracer that wants the heap as it is when
/// the program ends names a Unix socket in the provider's arguments (<see cref="WireSchema.SnapshotSocketArgument"/>);
/// at exit — after <c>Main</c> returned, statics still alive — the allocator connects to it, sends every live block
/// (<see cref="SnapshotLayout"/>) and waits for the tracer's release, bounded by the timeout the tracer gave, so the
/// tracer can dump the heap before anything is torn down. A tracer that asks with
/// <see cref="WireSchema.SnapshotNowArgument"/> gets the same at once, from a thread of its own (attach mode).
/// Nothing here can hang the exit: no socket or a refused connection holds nothing, and every wait has its timeout.
/// States: unconfigured → configured (a socket path) → held once at exit.
/// </summary>
internal static class SnapshotHold
{
    private static readonly Lock s_lock = new();
    private static string? s_socketPath;
    private static int s_timeoutMilliseconds = SnapshotLayout.DefaultTimeoutMilliseconds;
    private static int s_heldAtExit;

    public static void Configure(IDictionary<string, string?>? arguments)
    {
        if (arguments is null || !arguments.TryGetValue(WireSchema.SnapshotSocketArgument, out string? path) || string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        int timeout = SnapshotLayout.DefaultTimeoutMilliseconds;
        if (arguments.TryGetValue(WireSchema.SnapshotTimeoutArgument, out string? text) && int.TryParse(text, out int parsed) && parsed > 0)
        {
            timeout = parsed;
        }

        if (arguments.ContainsKey(WireSchema.SnapshotNowArgument))
        {
            var thread = new Thread(() => Hold(path, timeout)) { IsBackground = true, Name = "LeakScope snapshot" };
            thread.UnsafeStart();
            return;
        }

        lock (s_lock)
        {
            s_socketPath = path;
            s_timeoutMilliseconds = timeout;
        }
    }

    /// <summary>At exit (ProcessExit, after the exit file): hold for the tracer's snapshot, once, if one was asked for.</summary>
    public static void AtExit()
    {
        string? path;
        int timeout;
        lock (s_lock)
        {
            (path, timeout) = (s_socketPath, s_timeoutMilliseconds);
        }

        if (path is not null && Interlocked.Exchange(ref s_heldAtExit, 1) == 0)
        {
            Hold(path, timeout);
        }
    }

    private static void Hold(string path, int timeoutMilliseconds)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.SendTimeout = timeoutMilliseconds;
            socket.ReceiveTimeout = timeoutMilliseconds;
            socket.Connect(new UnixDomainSocketEndPoint(path));
            using var stream = new NetworkStream(socket, ownsSocket: false);
            using var buffered = new BufferedStream(stream, 1 << 16);
            WriteBlocks(buffered);
            buffered.Flush();
            int answer = stream.ReadByte();
            _ = answer; // the release, or -1 when the tracer went away: either way, carry on
        }
        catch (SocketException)
        {
            // No tracer listening (it detached), or it did not answer in time: nobody to wait for.
        }
        catch (IOException)
        {
            // The tracer closed the connection or the wait timed out.
        }
    }

    private static void WriteBlocks(Stream output)
    {
        List<LiveBlock> blocks = HeapWalker.LiveBlocks().ToList();
        Span<byte> header = stackalloc byte[SnapshotLayout.HeaderLength];
        SnapshotLayout.Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Environment.ProcessId);
        BinaryPrimitives.WriteInt64LittleEndian(header[12..], blocks.Count);
        output.Write(header);
        Span<byte> record = stackalloc byte[SnapshotLayout.BlockLength];
        foreach (LiveBlock block in blocks)
        {
            BinaryPrimitives.WriteInt64LittleEndian(record, block.AllocationId);
            BinaryPrimitives.WriteInt64LittleEndian(record[8..], block.Address);
            BinaryPrimitives.WriteInt64LittleEndian(record[16..], (long)block.Size);
            BinaryPrimitives.WriteInt32LittleEndian(record[24..], block.SiteId);
            record[28] = (byte)block.Family;
            output.Write(record);
        }

        Span<byte> end = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(end, SnapshotLayout.End);
        output.Write(end);
    }
}
