using System.Runtime.CompilerServices;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>
/// Knows every thread's <see cref="BatchWriter"/> and publishes them all — on each heartbeat, so
/// nothing waits longer than one tick, and at process exit. <see cref="Stamp"/> changes on every
/// heartbeat and session start; an owner that sees it change appends its folded counters.
/// </summary>
internal static class BatchPublisher
{
    private static readonly Lock s_lock = new();
    private static readonly List<BatchWriter> s_writers = new();

    private static IBatchOutput s_output = new EventSourceBatchOutput();

    /// <summary>Where batches go: the event source, or the exit file once the runtime has shut sessions down.</summary>
    public static IBatchOutput Output => Volatile.Read(ref s_output);

    /// <summary>Bumped when a session turns batching on: records of an earlier session are dropped.</summary>
    public static long Session = 1;

    /// <summary>Bumped on every heartbeat and every session start; owners compare it on each allocation.</summary>
    public static long Stamp = 1;

    /// <summary>
    /// True while a rundown walks the heap: a block it reports live must not then vanish into a folded pair, so
    /// owners write both records instead (see <see cref="SuspendFolding"/>).
    /// </summary>
    public static bool FoldingSuspended;

    public static void Register(BatchWriter writer)
    {
        lock (s_lock)
        {
            if (!s_writers.Contains(writer))
            {
                s_writers.Add(writer);
            }
        }
    }

    public static void Unregister(BatchWriter writer)
    {
        lock (s_lock)
        {
            s_writers.Remove(writer);
        }
    }

    /// <summary>A session has just enabled batching: forget whatever an earlier session left unpublished.</summary>
    public static void BeginSession()
    {
        lock (s_lock)
        {
            Interlocked.Increment(ref Session);
            Interlocked.Increment(ref Stamp);
            foreach (BatchWriter writer in s_writers)
            {
                writer.Discard();
            }

            BatchRetention.Clear();
        }
    }

    public static void RedirectTo(IBatchOutput output) => Volatile.Write(ref s_output, output);

    /// <summary>
    /// Before a rundown walks the heap: no pending allocation may fold from now on, and those pending now are
    /// published. The exchange is a full fence, paired with the owners' compare-exchange on the pending slot: a walk
    /// that reads a block as live is certain its free will be written as a record.
    /// </summary>
    public static void SuspendFolding()
    {
        Interlocked.Exchange(ref Unsafe.As<bool, byte>(ref FoldingSuspended), 1);
        PublishAll();
    }

    /// <summary>
    /// After the walk: publishes the allocations still pending (the walk may have reported them), raises every thread's
    /// fold floor above the ids it has handed out (a block can be live in the heap a moment before its allocation
    /// reaches the pending slot, so the walk may have reported a block that is not pending yet), then lets owners fold
    /// again — only blocks allocated after the walk.
    /// </summary>
    public static void ResumeFolding()
    {
        PublishAll();
        ThreadHeap.RaiseFoldFloors();
        Volatile.Write(ref FoldingSuspended, false);
    }

    /// <summary>Publishes every thread's records; asks owners to append their folded counters next time they run.</summary>
    public static void PublishAll()
    {
        BatchWriter[] writers;
        lock (s_lock)
        {
            writers = s_writers.ToArray();
        }

        foreach (BatchWriter writer in writers)
        {
            writer.Publish();
        }

        Interlocked.Increment(ref Stamp);
    }
}
