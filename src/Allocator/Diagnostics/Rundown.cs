using System.Diagnostics.Tracing;
using LeakScope.Allocator.Diagnostics.Batching;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// Publishes what a newly attached session could not have seen: every site defined so far and every
/// block already live, bracketed by start / stop events with the totals, so attaching late does not
/// turn old blocks into unknown frees.
/// </summary>
internal static class Rundown
{
    private static long s_generation;

    public static void Publish(AllocatorEventSource log, long ownerTicket)
    {
        long generation = Interlocked.Increment(ref s_generation);
        bool blocks = log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Allocations)
            || log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Batched);
        log.RundownStart(generation);

        if (log.IsEnabled(EventLevel.Informational, AllocatorEventSource.Keywords.Sites))
        {
            SiteInfo[] sites = SiteRegistry.Snapshot();
            for (int id = 1; id < sites.Length; id++)
            {
                log.SiteDefined(id, sites[id]);
            }
        }

        long count = 0;
        long bytes = 0;
        if (blocks)
        {
            // In the high-rate mode a block allocated since the session started may still sit unpublished in its
            // thread's pending slot: it must not fold away after the walk has reported it live (BatchingSession.Walking).
            BatchingSession batching = BatchingSession.Shared;
            bool walking = batching.BeginWalk();
            try
            {
                foreach (LiveBlock block in HeapWalker.LiveBlocks())
                {
                    log.RundownBlock(block.AllocationId, block.Address, block.Size, block.SiteId, block.Family);
                    count++;
                    bytes += (long)block.Size;
                }
            }
            finally
            {
                if (walking)
                {
                    batching.EndWalk();
                }
            }
        }

        // Owners after their blocks, so the tracer can name each owner's storage (its family and size).
        if (log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Owners))
        {
            OwnerRegistry.PublishRundown(log, ownerTicket);
        }

        log.RundownStop(generation, count, bytes);
    }
}
