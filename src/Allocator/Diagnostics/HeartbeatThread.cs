using System.Collections.Concurrent;
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
    /// The detach cut: the counts taken at an operation boundary every writer agrees on, with every thread's records up to
    /// it published (<see cref="OperationCut"/>), then <c>DetachFlushed</c> naming the heartbeat that carries those counts,
    /// and that heartbeat; only then do the threads stopped at the boundary go on, so nothing they record after it is
    /// published before the heartbeat. If the cut does not hold within <see cref="OperationCut.Patience"/>, the last counts
    /// go out and the tracer's check at the cut decides (it says INCOMPLETE rather than guess).
    /// </summary>
    private static void Flush(AllocatorEventSource log, long token)
    {
        using OperationCut cut = BatchingSession.Shared.BeginCut();
        HeapSnapshot snapshot = cut.Take(HeapStats.Capture, OperationCut.Patience);
        long sequence = Interlocked.Increment(ref s_sequence);
        log.DetachFlushed(token, sequence);
        if (log.IsEnabled(EventLevel.Informational, AllocatorEventSource.Keywords.Diagnostics))
        {
            log.Heartbeat(sequence, snapshot, Instrumentation.Batched ? AllocatorEventSource.Flags.Batched : 0);
        }
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
