using System.Buffers.Binary;
using LeakScope.Allocator.Diagnostics.Batching;
using LeakScope.Allocator.Heaps;
using LeakScope.Wire;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// The account a process leaves behind when it exits. The runtime disables every EventPipe session
/// before any managed exit hook runs (measured: <c>IsEnabled()</c> is already false in
/// <c>AssemblyLoadContext.Unloading</c>, <c>EventSource.Dispose</c> and <c>ProcessExit</c>), so neither a
/// final heartbeat nor the records still buffered by the high-rate mode can reach a session. A tracer
/// therefore names a file in the provider's arguments (<see cref="ArgumentName"/>) and creates it empty;
/// at exit the allocator writes its last batch records and a final heartbeat there. Only a file that
/// still exists is written, so a tracer that detached early (and deleted its file) leaves nothing behind.
/// Layout: <see cref="ExitFileLayout"/> (src/Wire), which the tracer's reader compiles too; prose in docs/exit-file.md.
/// </summary>
internal static class ExitReport
{
    /// <summary>The provider argument (EventPipe filter data) that names the exit file.</summary>
    public const string ArgumentName = WireSchema.ExitFileArgument;

    private static readonly Lock s_lock = new();
    private static readonly HashSet<string> s_paths = new(StringComparer.Ordinal);
    private static int s_written;

    public static void Configure(IDictionary<string, string?>? arguments)
    {
        if (arguments is not null && arguments.TryGetValue(ArgumentName, out string? path) && !string.IsNullOrWhiteSpace(path))
        {
            lock (s_lock)
            {
                s_paths.Add(path);
            }
        }
    }

    /// <summary>Writes the exit file(s), once. Runs in <c>ProcessExit</c>, after the foreground threads have finished.</summary>
    public static void WriteAtExit(long heartbeatSequence)
    {
        string[] paths;
        lock (s_lock)
        {
            paths = s_paths.ToArray();
        }

        if (paths.Length == 0 || Interlocked.Exchange(ref s_written, 1) != 0)
        {
            return;
        }

        using var content = new MemoryStream();
        content.Write(ExitFileLayout.Magic);
        WriteInt32(content, BatchFormat.FormatVersion);

        // From here on every batch goes to the file: the event source no longer reaches anyone. The recent batches
        // come first: some were published while the runtime was already shutting the session down, and were dropped.
        var output = new StreamBatchOutput(content);
        BatchingSession.Shared.BeginExit(output);
        BatchRetention.ReplayTo(output);
        ThreadHeap.FlushFoldsAtExit();
        ThreadHeap.ReclaimExited();
        BatchingSession.Shared.PublishAll();

        // The Heartbeat event's fields, in its order (ExitFileLayout.Heartbeat).
        HeapSnapshot snapshot = HeapStats.Capture();
        content.WriteByte(ExitFileLayout.HeartbeatNewestSection);
        WriteInt64(content, heartbeatSequence);
        ReadOnlySpan<AllocationFamily> families = AllocatorEventSource.HeartbeatFamilies;
        for (int f = 0; f < families.Length; f++)
        {
            if (f == 2)
            {
                // Version 1 ended here; the tracked families follow Flags.
                WriteInt64(content, snapshot.MisuseCount);
                WriteInt32(content, WireHeartbeatFlags.Final);
            }

            HeapSnapshot counts = snapshot.For(families[f]);
            WriteInt64(content, counts.LiveBlocks);
            WriteInt64(content, counts.LiveBytes);
            WriteInt64(content, counts.Allocations);
            WriteInt64(content, counts.Frees);
        }

        content.WriteByte(ExitFileLayout.EndSection);

        foreach (string path in paths)
        {
            try
            {
                // Truncate rather than create: a file the tracer has already removed stays removed.
                using var file = new FileStream(path, FileMode.Truncate, FileAccess.Write, FileShare.Read);
                content.WriteTo(file);
            }
            catch (IOException)
            {
                // The tracer detached and removed its file, or the directory is gone: nobody is waiting.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to write; the tracer reports the account as unconfirmed at exit.
            }
        }
    }

    private static void WriteInt32(Stream stream, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }

    private static void WriteInt64(Stream stream, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        stream.Write(bytes);
    }

    /// <summary>Batches as file sections: <c>[1][length:int32][records]</c>. Background threads may still publish: one at a time.</summary>
    private sealed unsafe class StreamBatchOutput(Stream stream) : IBatchOutput
    {
        private readonly Lock _lock = new();

        public void Write(byte* records, int length)
        {
            lock (_lock)
            {
                stream.WriteByte(ExitFileLayout.BatchSection);
                WriteInt32(stream, length);
                stream.Write(new ReadOnlySpan<byte>(records, length));
            }
        }
    }
}
