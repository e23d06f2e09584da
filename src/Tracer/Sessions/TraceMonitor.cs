using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// A thread-safe window on a trace in progress, for a live view or a progress bar: the reading thread publishes an
/// immutable <see cref="LiveSnapshot"/> at every heartbeat (and every few thousand events); any thread may read
/// <see cref="Latest"/>. For files it also counts the bytes read. It holds no clock and writes nowhere: rates and
/// rendering are the front end's business.
/// </summary>
public sealed class TraceMonitor
{
    private LiveSnapshot? _latest;
    private long _bytesRead;
    private long _totalBytes = -1;

    /// <summary>How many top growing sites each snapshot carries.</summary>
    public int TopSites { get; init; } = 5;

    /// <summary>The most recent snapshot, or null before the first.</summary>
    public LiveSnapshot? Latest => Volatile.Read(ref _latest);

    /// <summary>Bytes of a trace file read so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>The trace file's size, when reading a file.</summary>
    public long? TotalBytes => Interlocked.Read(ref _totalBytes) is var total and >= 0 ? total : null;

    internal void Publish(LiveSnapshot snapshot) => Volatile.Write(ref _latest, snapshot);

    internal void AddBytes(long count) => Interlocked.Add(ref _bytesRead, count);

    internal void SetTotalBytes(long total) => Interlocked.Exchange(ref _totalBytes, total);
}
