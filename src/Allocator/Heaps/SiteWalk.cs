using System.Runtime.CompilerServices;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// Live small blocks and bytes per (site, family), kept between walks so that a walk reads only the pools whose blocks
/// may have changed since the last one (<see cref="PoolInfo.Changed"/>): its cost follows what changed, not the live
/// heap. It keeps what it counted in each pool (<see cref="ArenaCounts"/>, beside the arena) and the totals over all
/// pools; re-walking a pool takes its old counts out of the totals and puts the new ones in.
/// <para>
/// Why a pool that is not marked still holds what the walk last counted in it. The walk clears the mark with an
/// interlocked exchange (a full fence) before it reads the pool's <see cref="PoolInfo.Carved"/>, headers and
/// <see cref="PoolInfo.FreeCount"/>, and sets it again unless the pool is settled: every live header read stably
/// (seqlock, as <see cref="HeapWalker"/>), and as many headers not live as the pool's own free list holds — so no block
/// of it sits in a thread's cache, where its owner could make it live again without touching the pool. Every other way
/// a pool's live blocks change writes and then marks:
/// <list type="bullet">
/// <item>a free or an in-place resize: a compare-exchange on the header (a full fence), then check-then-set of the
/// mark. Both sides are "write, full fence, read the other's location": the walk cannot read the header as before the
/// exchange while the freer reads the mark as before the walk's clear (store-buffer litmus), so either the walk saw the
/// new header or the mark is set after its clear;</item>
/// <item><see cref="SizeClassPool.Take"/> moving blocks from the pool's list to a cache, and carving a new slot: they
/// write <see cref="PoolInfo.FreeCount"/> (or <see cref="PoolInfo.Carved"/>) and then the mark, unconditionally, with
/// release semantics. A walk whose fenced clear came after the mark reads the new count; one whose clear came before it
/// is followed by the mark.</item>
/// </list>
/// If a block X is in a cache when the walk ends and the pool is left unmarked, the walk read X's header either as live
/// (then X was freed after that read, and the free marked the pool) or as not live; then, for the counts to match, the
/// list count the walk read includes a block Y it read as live (freed and given back after that read: marked by that
/// free) or X itself (given back before the count was read, then taken again: marked by the take). Either way the pool
/// is marked. Blocks given back to the list (a spill, an exited thread's cache) change no live count and need no mark.
/// An allocation from a thread's cache makes a block live without a mark: the walk that saw it in the cache left the
/// pool marked. A pool given back to the system (<see cref="PagePurger"/>) held no live block and is marked anyway; a
/// new pool starts marked (<see cref="PoolInfo.For"/>).
/// </para>
/// </summary>
internal static unsafe class SiteWalk
{
    private static readonly Lock s_lock = new();

    /// <summary>Totals over every pool, indexed as <see cref="SiteTally"/> (site × <see cref="FamilySlots.Count"/> + family).</summary>
    private static long[] s_blocks = new long[64];
    private static long[] s_bytes = new long[64];

    /// <summary>Scratch while a pool is walked: per index, 1 + its position in <see cref="s_scratch"/> (0 = not met yet).</summary>
    private static int[] s_where = new int[64];
    private static SiteCount[] s_scratch = new SiteCount[16];

    /// <summary>Pools read by the last walk, and pools in use then.</summary>
    internal static int LastPoolsWalked { get; private set; }

    internal static int LastPoolsInUse { get; private set; }

    /// <summary>Adds the live small blocks of every arena to <paramref name="tally"/>, re-walking only the pools marked changed.</summary>
    public static void AddTo(SiteTally tally)
    {
        lock (s_lock)
        {
            int walked = 0;
            int inUse = 0;
            foreach (Arena arena in ArenaMap.All())
            {
                ArenaCounts counts = arena.WalkCounts ??= new ArenaCounts();
                int pools = Volatile.Read(ref arena.PoolsInUse);
                inUse += pools;
                for (int p = 0; p < pools; p++)
                {
                    ref PoolInfo info = ref arena.Pools[p];
                    if (Volatile.Read(ref info.Changed) != 0)
                    {
                        WalkPool(arena, p, ref info, ref counts.Pools[p]);
                        walked++;
                    }
                }
            }

            LastPoolsWalked = walked;
            LastPoolsInUse = inUse;
            for (int i = 0; i < s_blocks.Length; i++)
            {
                if (s_blocks[i] != 0)
                {
                    tally.AddCounts(i, s_blocks[i], s_bytes[i]);
                }
            }
        }
    }

    /// <summary>Managed bytes the walk keeps between samples (its totals, scratch and per-pool counts).</summary>
    internal static long RetainedBytes()
    {
        lock (s_lock)
        {
            long bytes = (s_blocks.Length * 2L * sizeof(long)) + (s_where.Length * (long)sizeof(int)) + (s_scratch.Length * (long)sizeof(SiteCount));
            foreach (Arena arena in ArenaMap.All())
            {
                if (arena.WalkCounts is { } counts)
                {
                    bytes += ArenaCounts.InlineBytes;
                    foreach (PoolCounts pool in counts.Pools)
                    {
                        bytes += pool.More is { } more ? 24 + (more.Length * (long)sizeof(SiteCount)) : 0;
                    }
                }
            }

            return bytes;
        }
    }

    private static void WalkPool(Arena arena, int p, ref PoolInfo info, ref PoolCounts counts)
    {
        // The fence orders the clear before every read below (see the class comment).
        Interlocked.Exchange(ref info.Changed, 0);
        Take(ref counts);

        int stride = info.Stride;
        int carved = Volatile.Read(ref info.Carved);
        int found = 0;
        int free = 0;
        bool settled = true;
        byte* slot = (byte*)arena.PoolBase(p);
        byte* end = slot + ((nint)carved * stride);
        for (; slot < end; slot += stride)
        {
            // BlockHeader's layout; a change to it fails CaptureSitesCoversEveryFamilyIncludingTheTrackedOnesAndLargeBlocks
            // (tests/LeakScope.Hosting.Tests).
            HeaderRead read = BlockHeader.ReadConcurrently(slot, out ulong fields);
            if (read == HeaderRead.NotLive)
            {
                free++; // on the pool's list or in a thread's cache: which, the pool's count tells below
                continue;
            }

            if (read == HeaderRead.Changing)
            {
                settled = false; // being written (an in-place resize, an allocation): read it again next time
                continue;
            }

            int siteId = BlockHeader.SiteOf(fields);
            AllocationFamily family = BlockHeader.FamilyOf(fields);
            if ((uint)family >= FamilySlots.Count || siteId < 0)
            {
                continue; // Not a family or a site any writer stores: nothing to count it under.
            }

            int index = (siteId * FamilySlots.Count) + (int)family;
            if ((uint)index >= (uint)s_where.Length)
            {
                Grow(index);
            }

            int at = s_where[index] - 1;
            if (at < 0)
            {
                if (found == s_scratch.Length)
                {
                    Array.Resize(ref s_scratch, found * 2);
                }

                at = found++;
                s_where[index] = at + 1;
                s_scratch[at] = new SiteCount { Index = index };
            }

            s_scratch[at].Blocks++;
            s_scratch[at].Bytes += BlockHeader.SizeOf(fields); // at most 16 KiB in a pool: no overflow
        }

        Put(ref counts, found);

        // Every block not live is on the pool's own list (FreeCount, changed only under its class's lock) or in some
        // thread's cache, where it can become live without touching the pool: unless all of them are on the list, the
        // pool stays marked (see the class comment for why a count read at another moment than the headers is enough).
        if (free != Volatile.Read(ref info.FreeCount))
        {
            settled = false;
        }

        if (!settled)
        {
            Volatile.Write(ref info.Changed, 1);
        }
    }

    /// <summary>Takes a pool's last counts out of the totals.</summary>
    private static void Take(ref PoolCounts counts)
    {
        if (counts.First.Blocks != 0)
        {
            Subtract(counts.First);
            if (counts.More is { } more)
            {
                foreach (SiteCount count in more)
                {
                    Subtract(count);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Subtract(in SiteCount count)
    {
        s_blocks[count.Index] -= count.Blocks;
        s_bytes[count.Index] -= count.Bytes;
    }

    /// <summary>Stores the scratch counts as the pool's, adds them to the totals and clears the scratch index.</summary>
    private static void Put(ref PoolCounts counts, int found)
    {
        for (int i = 0; i < found; i++)
        {
            SiteCount count = s_scratch[i];
            s_blocks[count.Index] += count.Blocks;
            s_bytes[count.Index] += count.Bytes;
            s_where[count.Index] = 0;
        }

        counts.First = found > 0 ? s_scratch[0] : default;
        if (found <= 1)
        {
            counts.More = null;
            return;
        }

        if (counts.More is null || counts.More.Length != found - 1)
        {
            counts.More = new SiteCount[found - 1];
        }

        Array.Copy(s_scratch, 1, counts.More, 0, found - 1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Grow(int index)
    {
        // A site interned after the arrays were sized.
        int length = Math.Max(s_where.Length * 2, index + 1);
        Array.Resize(ref s_where, length);
        Array.Resize(ref s_blocks, length);
        Array.Resize(ref s_bytes, length);
    }

    /// <summary>
    /// One (site, family)'s live blocks and bytes in one pool, in 8 bytes: a pool holds at most 512 blocks (32-byte
    /// stride) and fewer than 16 KiB of user bytes, so both fit 16 bits.
    /// </summary>
    internal struct SiteCount
    {
        public int Index;
        public ushort Blocks;
        public ushort Bytes;
    }

    /// <summary>What the walk counted in one pool: most pools serve one or two sites, so the first is inline.</summary>
    internal struct PoolCounts
    {
        public SiteCount First;
        public SiteCount[]? More;
    }

    /// <summary>The walk's counts for each pool of one arena.</summary>
    internal sealed class ArenaCounts
    {
        /// <summary>The object and its inline table, without the per-pool overflow arrays.</summary>
        public static readonly long InlineBytes = 24 + (Arena.PoolCount * (long)Unsafe.SizeOf<PoolCounts>());

        public PoolCountTable Pools;
    }

    /// <summary>An arena's <see cref="PoolCounts"/> per pool, inline.</summary>
    [InlineArray(Arena.PoolCount)]
    internal struct PoolCountTable
    {
        private PoolCounts _first;
    }
}
