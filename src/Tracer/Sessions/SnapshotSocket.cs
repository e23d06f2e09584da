using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using LeakScope.Tracer.Reachability;
using LeakScope.Wire;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// The tracer's half of a reachability snapshot (docs/reachability.md): a Unix socket the allocator connects to when
/// it holds (at exit, or at once when asked with <see cref="WireSchema.SnapshotNowArgument"/>). The tracer reads the
/// live blocks it sends (<see cref="SnapshotLayout"/>), writes a heap dump of the held process, then releases it. One
/// capture per socket. States: listening → held (blocks read) → dumped → released.
/// </summary>
internal sealed class SnapshotSocket : IDisposable
{
    private readonly Socket _listener;

    private SnapshotSocket(string path, Socket listener)
    {
        Path = path;
        _listener = listener;
    }

    /// <summary>The socket's path: the provider argument <see cref="WireSchema.SnapshotSocketArgument"/>.</summary>
    public string Path { get; }

    public static SnapshotSocket Create()
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"leakscope-snap-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new ReachabilityException($"cannot listen on {path} for the target's snapshot: {e.Message}", e);
        }

        return new SnapshotSocket(path, listener);
    }

    /// <summary>
    /// Waits for the allocator to hold, reads its blocks, dumps the process through <paramref name="client"/> to
    /// <paramref name="dumpPath"/>, and releases it — whatever happened, so the target is never left waiting.
    /// </summary>
    public async Task<SnapshotCapture> CaptureAsync(DiagnosticsClient? client, string dumpPath, CancellationToken cancellationToken)
    {
        using Socket connection = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var stream = new NetworkStream(connection, ownsSocket: false);
            (int pid, List<SnapshotBlock> blocks) = await ReadBlocksAsync(stream, cancellationToken).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            try
            {
                await HeapDumper.WriteAsync(client, pid, dumpPath, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                throw new ReachabilityException($"cannot write a heap dump of process {pid} to {dumpPath}: {e.Message}", e);
            }

            TimeSpan dumpTime = clock.Elapsed;
            long dumpBytes = File.Exists(dumpPath) ? new FileInfo(dumpPath).Length : 0;
            if (dumpBytes == 0)
            {
                throw new ReachabilityException($"the heap dump of process {pid} at {dumpPath} is missing or empty (no space left?)");
            }

            // Still held: its mappings say where each thread's stack ends (a Linux dump gives ClrMD no stack bounds).
            return new SnapshotCapture(pid, blocks, dumpPath, dumpBytes, dumpTime) { Mappings = Mappings(pid) };
        }
        finally
        {
            try
            {
                connection.Send([SnapshotLayout.Release]);
            }
            catch (SocketException)
            {
                // The target stopped waiting (its timeout) or died: nothing to release.
            }
        }
    }

    private static async Task<(int Pid, List<SnapshotBlock> Blocks)> ReadBlocksAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffered = new BufferedStream(stream, 1 << 16);
        byte[] header = new byte[SnapshotLayout.HeaderLength];
        await buffered.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        if (!header.AsSpan(0, 8).SequenceEqual(SnapshotLayout.Magic))
        {
            throw new ReachabilityException("the target's snapshot did not start with the snapshot magic: not a LeakScope allocator, or another version");
        }

        int pid = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
        long count = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(12));
        if (count < 0 || count > int.MaxValue)
        {
            throw new ReachabilityException($"the target's snapshot announced {count} blocks");
        }

        var blocks = new List<SnapshotBlock>((int)Math.Min(count, 1 << 20));
        byte[] record = new byte[SnapshotLayout.BlockLength];
        for (long i = 0; i < count; i++)
        {
            await buffered.ReadExactlyAsync(record, cancellationToken).ConfigureAwait(false);
            blocks.Add(new SnapshotBlock(
                BinaryPrimitives.ReadInt64LittleEndian(record),
                BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(8)),
                BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(16)),
                BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(24)),
                record[28]));
        }

        byte[] end = new byte[8];
        await buffered.ReadExactlyAsync(end, cancellationToken).ConfigureAwait(false);
        if (BinaryPrimitives.ReadInt64LittleEndian(end) != SnapshotLayout.End)
        {
            throw new ReachabilityException("the target's snapshot did not end where its block count said");
        }

        return (pid, blocks);
    }

    /// <summary>The process's memory mappings (<c>/proc/&lt;pid&gt;/maps</c>), or empty where there is none to read.</summary>
    private static AddressRange[] Mappings(int pid)
    {
        var ranges = new List<AddressRange>();
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/maps"))
            {
                int dash = line.IndexOf('-', StringComparison.Ordinal);
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                if (dash > 0 && space > dash
                    && ulong.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out ulong start)
                    && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber, null, out ulong end))
                {
                    ranges.Add(new AddressRange(start, end));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not ours to read: thread stacks are then bounded by what the dump says, if anything.
        }

        return ranges.ToArray();
    }

    public void Dispose()
    {
        _listener.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A stale socket file in the temp directory; harmless.
        }
    }
}

/// <summary>What a snapshot brought back: the target's live blocks and the heap dump taken while it held.</summary>
internal sealed record SnapshotCapture(int Pid, IReadOnlyList<SnapshotBlock> Blocks, string DumpPath, long DumpBytes, TimeSpan DumpTime)
{
    /// <summary>The held process's memory mappings, in address order (thread stacks end where their mapping ends).</summary>
    public IReadOnlyList<AddressRange> Mappings { get; init; } = [];
}
