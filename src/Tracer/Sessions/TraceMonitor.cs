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
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many top growing sites each snapshot carries.</summary>
    public int TopSites { get; init; } = 5;

    /// <summary>The most recent snapshot, or null before the first.</summary>
    public LiveSnapshot? Latest => Volatile.Read(ref _latest);

    /// <summary>Bytes of a trace file read so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>The trace file's size, when reading a file.</summary>
    public long? TotalBytes => Interlocked.Read(ref _totalBytes) is var total and >= 0 ? total : null;

    /// <summary>
    /// Completes with the first snapshot (the latest, or one published later) for which <paramref name="condition"/>
    /// holds: a front end or a test waits for what the trace has reached instead of polling <see cref="Latest"/>.
    /// </summary>
    public async Task<LiveSnapshot> WhenAsync(Func<LiveSnapshot, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Taken before the check, so a snapshot published in between completes it and is not missed.
            Task next = Volatile.Read(ref _published).Task;
            if (Latest is { } snapshot && condition(snapshot))
            {
                return snapshot;
            }

            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The stack that allocated the most bytes at <paramref name="site"/> so far (innermost frame first), while a session
    /// that collects stacks runs; empty without stacks or before the site's first sample. Methods compiled before the
    /// session read <c>[unknown]</c> until the trace ends. The report's stacks are exact; this is a live glance.
    /// </summary>
    public IReadOnlyList<CallFrame> TopStack(SiteInfo site) =>
        Volatile.Read(ref _stacks) is { } stacks && site.Id >= 0 ? stacks.TopStack(site.Id) : [];

    private Stacks.StackCollector? _stacks;

    internal void AttachStacks(Stacks.StackCollector collector) => Volatile.Write(ref _stacks, collector);

    internal void Publish(LiveSnapshot snapshot)
    {
        Volatile.Write(ref _latest, snapshot);
        Interlocked.Exchange(ref _published, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    internal void AddBytes(long count) => Interlocked.Add(ref _bytesRead, count);

    internal void SetTotalBytes(long total) => Interlocked.Exchange(ref _totalBytes, total);
}
