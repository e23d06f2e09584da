using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using LeakScope.Allocator.Diagnostics.Batching;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// A background thread that, while the source is enabled, runs any requested rundown and then every
/// <see cref="IntervalMilliseconds"/> publishes the authoritative counts. Writing from its own thread
/// also flushes EventPipe's buffered tail, which otherwise stalls when the allocating threads go quiet.
/// At process exit, when sessions can no longer be reached, it hands over to <see cref="ExitReport"/>.
/// </summary>
internal static class HeartbeatThread
{
    public const int IntervalMilliseconds = 100;

    private static readonly Lock s_lock = new();
    private static readonly AutoResetEvent s_wake = new(false);
    private static Thread? s_thread;
    private static int s_rundownRequests;
    private static long s_sequence;
    private static int s_finalPublished;

    /// <summary>
    /// How long a flush keeps publishing and re-reading the counters while other threads keep changing them: long enough
    /// for a burst to end (16 back-to-back tries gave up in the middle of one), well inside the tracer's 5 s wait.
    /// </summary>
    private static readonly TimeSpan StableSnapshotPatience = TimeSpan.FromMilliseconds(500);

    /// <summary>Tokens of detaching tracers waiting for their flush (<see cref="RequestFlush"/>).</summary>
    private static readonly ConcurrentQueue<long> s_flushRequests = new();

    /// <summary>The owner ticket of the latest enable: owners with later tickets published themselves live.</summary>
    private static long s_rundownOwnerTicket;

    public static void RequestRundown()
    {
        Volatile.Write(ref s_rundownOwnerTicket, OwnerRegistry.NextTicket());
        Interlocked.Increment(ref s_rundownRequests);
        EnsureStarted();
        s_wake.Set();
    }

    /// <summary>A tracer is detaching: publish everything, then answer with <c>DetachFlushed</c> and a heartbeat (on this thread).</summary>
    public static void RequestFlush(long token)
    {
        s_flushRequests.Enqueue(token);
        EnsureStarted();
        s_wake.Set();
    }

    private static void EnsureStarted()
    {
        lock (s_lock)
        {
            if (s_thread is not null)
            {
                return;
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) => PublishFinal();
            s_thread = new Thread(Run) { IsBackground = true, Name = "LeakScope heartbeat" };
            s_thread.UnsafeStart();
        }
    }

    private static void Run()
    {
        while (true)
        {
            AllocatorEventSource log = AllocatorEventSource.Log;
            if (log.IsEnabled() && Volatile.Read(ref s_finalPublished) == 0)
            {
                if (Interlocked.Exchange(ref s_rundownRequests, 0) > 0)
                {
                    Rundown.Publish(log, Volatile.Read(ref s_rundownOwnerTicket));
                }

                ThreadHeap.ReclaimExited();
                while (s_flushRequests.TryDequeue(out long token))
                {
                    Flush(log, token);
                }

                if (Instrumentation.Batched)
                {
                    BatchingSession.Shared.PublishAll();
                }

                Publish(log, flags: Instrumentation.Batched ? AllocatorEventSource.Flags.Batched : 0);
            }

            s_wake.WaitOne(IntervalMilliseconds);
        }
    }

    private static void Publish(AllocatorEventSource log, int flags)
    {
        if (log.IsEnabled(EventLevel.Informational, AllocatorEventSource.Keywords.Diagnostics))
        {
            log.Heartbeat(Interlocked.Increment(ref s_sequence), HeapStats.Capture(), flags);
        }
    }

    /// <summary>
    /// The detach cut: every thread's records published, the counts read when nothing changed between a publish and the
    /// read (so the records published hold exactly what the counts count), then <c>DetachFlushed</c> naming the heartbeat
    /// that carries those counts, and that heartbeat. A thread still allocating may change the counts between two reads:
    /// the publish and the read repeat, yielding between tries, for at most <see cref="StableSnapshotPatience"/>; if the counts never hold
    /// still, the last ones go out and the tracer's check at the cut decides (it says INCOMPLETE rather than guess).
    /// </summary>
    private static void Flush(AllocatorEventSource log, long token)
    {
        long started = Stopwatch.GetTimestamp();
        HeapSnapshot snapshot = PublishedSnapshot();
        while (true)
        {
            HeapSnapshot again = PublishedSnapshot();
            bool stable = again.Counts == snapshot.Counts;
            snapshot = again;
            if (stable || Stopwatch.GetElapsedTime(started) > StableSnapshotPatience)
            {
                break;
            }

            Thread.Yield();
        }

        long sequence = Interlocked.Increment(ref s_sequence);
        log.DetachFlushed(token, sequence);
        if (log.IsEnabled(EventLevel.Informational, AllocatorEventSource.Keywords.Diagnostics))
        {
            log.Heartbeat(sequence, snapshot, Instrumentation.Batched ? AllocatorEventSource.Flags.Batched : 0);
        }
    }

    private static HeapSnapshot PublishedSnapshot()
    {
        if (Instrumentation.Batched)
        {
            BatchingSession.Shared.PublishAll();
        }

        return HeapStats.Capture();
    }

    /// <summary>At exit, sessions are already gone: the last records and the final counts go to the exit file.</summary>
    private static void PublishFinal()
    {
        if (Interlocked.Exchange(ref s_finalPublished, 1) == 0)
        {
            ExitReport.WriteAtExit(Interlocked.Increment(ref s_sequence));

            // Then, if a tracer asked for a reachability snapshot, hold the exit (bounded) until it has it.
            SnapshotHold.AtExit();
        }
    }
}
