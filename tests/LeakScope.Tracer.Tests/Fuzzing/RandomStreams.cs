using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// Streams of random records of every kind, with fields drawn from small pools (so frees meet allocations, views
/// meet owners, sites get defined and redefined) and now and then from extreme values; plus raw events of random ids
/// and bytes. No model: only the invariants apply.
/// </summary>
internal static class RandomStreams
{
    private static readonly long[] Sizes = [0, 1, 16, 80, 512, 513, 4096, 1L << 30, long.MaxValue, -1, long.MinValue];

    public static MutatedStream Create(Random rng)
    {
        var events = new List<WireEvent>();
        int count = rng.Next(0, 300);
        int ids = rng.Next(1, 60);
        for (int i = 0; i < count; i++)
        {
            events.Add(rng.Next(20) == 0 ? RawEvent(rng) : WireEncoder.Encode(Record(rng, ids), movable: true));
        }

        var stream = new MutatedStream(events)
        {
            EventsLost = rng.Next(4) == 0 ? rng.Next(1, 100) : 0,
            CleanEnd = rng.Next(3) != 0,
            End = (LeakScope.Tracer.Analysis.StreamEnd)rng.Next(4),
        };
        stream.HasNewerVersion = events.Any(e => RecordDecoder.IsKnown(e.EventId) && e.Version > RecordDecoder.SupportedVersionOf(e.EventId));
        stream.Applied.Add($"random stream of {count} events over {ids} ids");
        return stream;
    }

    private static WireEvent RawEvent(Random rng)
    {
        byte[] payload = new byte[rng.Next(0, 80)];
        rng.NextBytes(payload);
        int id = rng.Next(3) == 0 ? rng.Next(0, 30) : rng.Next(1, 10);
        int version = rng.Next(40) == 0 ? rng.Next(2, 5) : rng.Next(0, 2);
        return new WireEvent(id, version, payload, []);
    }

    private static object Record(Random rng, int ids)
    {
        long Id() => rng.Next(12) == 0 ? rng.NextInt64(long.MinValue, long.MaxValue) : rng.Next(0, ids);
        long Size() => rng.Next(3) == 0 ? Sizes[rng.Next(Sizes.Length)] : rng.Next(0, 2048);
        int Site() => rng.Next(15) == 0 ? rng.Next(int.MinValue, int.MaxValue) : rng.Next(0, 12);
        HeapFamily Family() => (HeapFamily)(rng.Next(8) == 0 ? rng.Next(256) : rng.Next(0, 3));
        string Text() => rng.Next(5) == 0 ? HostileStrings.All[rng.Next(HostileStrings.All.Count)].Replace("\0", string.Empty, StringComparison.Ordinal) : $"/src/F{rng.Next(4)}.cs";

        return rng.Next(17) switch
        {
            0 => new SiteDefined(new SiteId(Site()), Text(), rng.Next(-5, 500), Text()),
            1 or 2 or 3 => new BlockAllocated(new AllocationId(Id()), rng.NextInt64(), Size(), new SiteId(Site()), Family()),
            4 or 5 => new BlockFreed(new AllocationId(Id()), rng.NextInt64(), Size(), new SiteId(Site()), Family()),
            6 => new BlockReallocated(new AllocationId(Id()), 0, Size(), Family(), new AllocationId(Id()), 0, Size(), Family(), new SiteId(Site())),
            7 => new MisuseReported((MisuseKind)rng.Next(0, 10), Family(), Family(), new AllocationId(Id()), 0, Size(), new SiteId(Site()), new SiteId(Site())),
            8 => rng.Next(2) == 0 ? new RundownStarted(rng.Next(3)) : new RundownStopped(rng.Next(3), rng.Next(10), Size()),
            9 => new RundownBlock(new AllocationId(Id()), 0, Size(), new SiteId(Site()), Family()),
            10 => new Heartbeat(rng.Next(100), Counts(rng), Counts(rng), rng.Next(5), (HeartbeatFlags)rng.Next(0, 4)),
            11 => new ViewAcquired(new ViewId(Id()), new OwnerId(Id()), new SiteId(Site()), (ViewKind)rng.Next(0, 5)),
            12 => new ViewReleased(new ViewId(Id()), new OwnerId(Id()), new SiteId(Site()), (ViewKind)rng.Next(0, 5)),
            13 => rng.Next(2) == 0 ? new ResizeBlocked(new OwnerId(Id()), new SiteId(Site()), Size(), rng.Next(-2, 5)) : new ResizeBlockedView(new OwnerId(Id()), new ViewId(Id()), new SiteId(Site())),
            14 => new ViewLeaked(new ViewId(Id()), new OwnerId(Id()), new SiteId(Site()), (ViewKind)rng.Next(0, 5)),
            15 => rng.Next(2) == 0 ? new OwnerCreated(new OwnerId(Id()), (OwnerKind)rng.Next(0, 4), new SiteId(Site()), new AllocationId(Id())) : new OwnerDisposed(new OwnerId(Id()), (OwnerKind)rng.Next(0, 4), new SiteId(Site()), new AllocationId(Id())),
            _ => new OwnerFinalized(new OwnerId(Id()), (OwnerKind)rng.Next(0, 4), new SiteId(Site()), new AllocationId(Id()), Size(), Family()),
        };
    }

    private static FamilyCounts Counts(Random rng) => rng.Next(3) == 0
        ? new FamilyCounts(rng.Next(-3, 20), rng.Next(-100, 5000), rng.Next(100), rng.Next(100))
        : new FamilyCounts(rng.Next(0, 5), rng.Next(0, 2000), rng.Next(100), rng.Next(100));
}
