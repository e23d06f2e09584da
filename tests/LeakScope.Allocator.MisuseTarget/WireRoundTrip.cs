using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Text.Json;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.Diagnostics.Batching;
using LeakScope.Allocator.Heaps;
using LeakScope.Wire;

namespace LeakScope.Allocator.MisuseTarget;

/// <summary>
/// The writer's half of the wire round-trip test (tests/LeakScope.EndToEnd.Tests/WireRoundTripTests.cs). Once a session
/// enables every keyword, it writes every event of the schema through the real <see cref="AllocatorEventSource"/>
/// methods, every batch record tag through a real <see cref="BatchWriter"/> and its real publishing, and leaves records
/// for the real exit file; for each it prints what it wrote, one <c>EXPECT {json}</c> line: where it should arrive
/// (<c>event</c>, <c>batch-event</c> — a record in an AllocationBatch event, replayed by the exit file too —, <c>exit</c>),
/// its event name or record tag, and its fields in the schema's order. The session enables <c>Allocations</c>, so the
/// allocator is in its per-operation mode: only this writer's explicit publish and the exit handler publish its records. The values are chosen so a field read with the wrong width or at the wrong offset
/// cannot come out equal: every byte of an id differs, sizes and sites need multi-byte varints, signs are mixed.
/// </summary>
internal static unsafe class WireRoundTrip
{
    private const long Id = 0x0102_0304_0506_0708;
    private const long Address = unchecked((long)0xFEDC_BA98_7654_3210);
    private const long Size = 0x0000_7F12_3456_789A;
    private const int Site = 0x0A0B_0C0D;
    private static readonly nint NativeAddress = unchecked((nint)Address);
    private static readonly nuint NativeSize = unchecked((nuint)Size);
    private static readonly nuint FourGiB = unchecked((nuint)0x1_0000_0000UL);

    public static int Run()
    {
        Console.WriteLine($"WIRE READY {Environment.ProcessId}");
        if (!WaitForEveryKeyword())
        {
            Console.WriteLine("WIRE NO SESSION");
            return 4;
        }

        WriteEveryEvent();
        WriteEveryBatchRecord();
        WriteSitesThatNeedEncoding();

        // Left for the exit file, whose final heartbeat carries the counts as they are now.
        HeapSnapshot counts = HeapStats.Capture();
        Expect("exit", "Heartbeat", Counts(counts.For(AllocationFamily.Raw)).Concat(Counts(counts.For(AllocationFamily.Pool))).Append(counts.MisuseCount).Append(WireHeartbeatFlags.Final).ToArray());
        Console.WriteLine("WIRE DONE");
        return 0;
    }

    /// <summary>
    /// Waits (bounded: 60 s) until a session has enabled every keyword of the schema, looking again each time a session
    /// sends the source a command (enable, disable, update): the source tells when its enablement changes.
    /// </summary>
    private static bool WaitForEveryKeyword()
    {
        AllocatorEventSource log = AllocatorEventSource.Log;
        long[] keywords = typeof(WireSchema.Keywords).GetFields().Select(f => (long)f.GetRawConstantValue()!).ToArray();
        bool Enabled() => keywords.All(k => log.IsEnabled(EventLevel.Verbose, (EventKeywords)k));

        using var commanded = new AutoResetEvent(false);
        EventHandler<EventCommandEventArgs> onCommand = (_, _) => commanded.Set();
        log.EventCommandExecuted += onCommand;
        try
        {
            var clock = Stopwatch.StartNew();
            while (!Enabled())
            {
                TimeSpan left = TimeSpan.FromSeconds(60) - clock.Elapsed;
                if (left <= TimeSpan.Zero || !commanded.WaitOne(left))
                {
                    return Enabled();
                }
            }

            return true;
        }
        finally
        {
            log.EventCommandExecuted -= onCommand;
        }
    }

    private static void WriteEveryEvent()
    {
        AllocatorEventSource log = AllocatorEventSource.Log;
        Write("SiteDefined", () => log.SiteDefined(Site, new SiteInfo("/src/Wire/Program.cs", 0x0102_0304, "Member")),
            Site, "/src/Wire/Program.cs", 0x0102_0304, "Member");

        foreach (AllocationFamily family in Enum.GetValues<AllocationFamily>())
        {
            Write("BlockAllocated", () => log.BlockAllocated(Id, NativeAddress, NativeSize, Site, family), Id, Address, Size, Site, (byte)family);
        }

        Write("BlockFreed", () => log.BlockFreed(Id + 1, NativeAddress, NativeSize, Site + 1, AllocationFamily.Pool), Id + 1, Address, Size, Site + 1, WireFamily.Pool);
        Write("BlockReallocated",
            () => log.BlockReallocated(Id + 2, NativeAddress, NativeSize, AllocationFamily.Raw, Id + 3, NativeAddress + 16, NativeSize + 1, AllocationFamily.Pool, Site + 2),
            Id + 2, Address, Size, WireFamily.Raw, Id + 3, Address + 16, Size + 1, WireFamily.Pool, Site + 2);
        foreach (MisuseKind kind in Enum.GetValues<MisuseKind>())
        {
            Write("Misuse", () => log.Misuse(kind, AllocationFamily.Pool, AllocationFamily.Raw, Id + 4, NativeAddress, NativeSize, Site + 3, Site + 4),
                (byte)kind, WireFamily.Pool, WireFamily.Raw, Id + 4, Address, Size, Site + 3, Site + 4);
        }

        Write("RundownStart", () => log.RundownStart(-Id), -Id);
        Write("RundownBlock", () => log.RundownBlock(Id + 5, NativeAddress, NativeSize, Site + 5, AllocationFamily.Raw), Id + 5, Address, Size, Site + 5, WireFamily.Raw);
        Write("RundownStop", () => log.RundownStop(-Id, Id + 6, Size), -Id, Id + 6, Size);

        HeapSnapshot snapshot = HeapStats.Capture();
        Write("Heartbeat", () => log.Heartbeat(-Id, snapshot, WireHeartbeatFlags.Batched),
            [-Id, .. Counts(snapshot.For(AllocationFamily.Raw)), .. Counts(snapshot.For(AllocationFamily.Pool)), snapshot.MisuseCount, WireHeartbeatFlags.Batched]);

        Write("DetachFlushed", () => log.DetachFlushed(Id + 10, -Id), Id + 10, -Id);

        foreach (ViewKind kind in Enum.GetValues<ViewKind>())
        {
            Write("ViewAcquired", () => log.ViewAcquired(Id + 7, Id + 8, Site + 6, kind), Id + 7, Id + 8, Site + 6, (byte)kind);
        }

        Write("ViewReleased", () => log.ViewReleased(Id + 7, Id + 8, Site + 6, ViewKind.Pin), Id + 7, Id + 8, Site + 6, WireViewKind.Pin);
        Write("ResizeBlocked", () => log.ResizeBlocked(Id + 8, Site + 7, Size, 0x0102_0305), Id + 8, Site + 7, Size, 0x0102_0305);
        Write("ResizeBlockedView", () => log.ResizeBlockedView(Id + 8, Id + 7, Site + 6), Id + 8, Id + 7, Site + 6);
        Write("ViewLeaked", () => log.ViewLeaked(Id + 7, Id + 8, Site + 6, ViewKind.Strided), Id + 7, Id + 8, Site + 6, WireViewKind.Strided);
        foreach (OwnerKind kind in Enum.GetValues<OwnerKind>())
        {
            Write("OwnerCreated", () => log.OwnerCreated(Id + 8, kind, Site + 8, Id + 9), Id + 8, (byte)kind, Site + 8, Id + 9);
        }

        Write("OwnerDisposed", () => log.OwnerDisposed(Id + 8, OwnerKind.NativeArray, Site + 9, Id + 9), Id + 8, WireOwnerKind.NativeArray, Site + 9, Id + 9);
        Write("OwnerFinalized", () => log.OwnerFinalized(Id + 8, OwnerKind.NativeBuffer, Site + 8, Id + 9, NativeSize, AllocationFamily.Pool),
            Id + 8, WireOwnerKind.NativeBuffer, Site + 8, Id + 9, Size, WireFamily.Pool);
    }

    /// <summary>
    /// One real writer, its real records, published through the real output (an AllocationBatch event, kept for the exit
    /// file's replay); then records it never publishes itself, which the exit handler publishes into the exit file.
    /// Ids are far above any the heap hands out, so the freed pending block folds.
    /// </summary>
    private static void WriteEveryBatchRecord()
    {
        var writer = new BatchWriter(BatchingSession.Shared, ThreadHeap.Current);
        const long Base = 1L << 56 | 0x0102_0304_0506;

        writer.Allocated(Base + 1, 300_000, 70_000, AllocationFamily.Raw);
        writer.Allocated(Base + 2, 1, Site, AllocationFamily.Pool); // commits the first
        writer.Freed(Base + 1, 300_000, 70_000, AllocationFamily.Raw); // not pending: a record
        writer.Reallocated(Base + 2, Base + 3, NativeSize, Site + 1, AllocationFamily.Raw); // commits the second first
        writer.Allocated(Base + 4, FourGiB, 70_001, AllocationFamily.Pool); // folded counters are indexed by site: a small one
        writer.Freed(Base + 4, FourGiB, 70_001, AllocationFamily.Pool); // the pending one: folds
        writer.FlushFolds();
        writer.Publish();
        Expect("batch-event", "tag1", Base + 1, 300_000L, 70_000, WireFamily.Raw);
        Expect("batch-event", "tag1", Base + 2, 1L, Site, WireFamily.Pool);
        Expect("batch-event", "tag2", Base + 1);
        Expect("batch-event", "tag3", Base + 2, Base + 3, Size, Site + 1, WireFamily.Raw);
        Expect("batch-event", "tag4", 70_001, WireFamily.Pool, 1L, 0x1_0000_0000L);

        // For the exit file: a record and a pending allocation, published at exit by the exit handler.
        writer.Allocated(Base + 5, 200, Site + 3, AllocationFamily.Pool);
        writer.Allocated(Base + 6, 16_384, Site + 4, AllocationFamily.Raw);
        Expect("exit", "tag1", Base + 5, 200L, Site + 3, WireFamily.Pool);
        Expect("exit", "tag1", Base + 6, 16_384L, Site + 4, WireFamily.Raw);
    }

    /// <summary>Caller-info strings with NULs and the escape character, through the real heap and site registry; and one too long for an event.</summary>
    private static void WriteSitesThatNeedEncoding()
    {
        const string File = "/src/nul\0inside\u001B.cs";
        const string Member = "Mem\0ber";
        void* block = RawHeap.Malloc(24, File, 0x0102_0305, Member);
        int site = SiteRegistry.Intern(File, 0x0102_0305, Member);
        Expect("event", "SiteDefined", site, File, 0x0102_0305, Member);
        RawHeap.Free(block);

        string longFile = "/src/" + new string('x', 100_000) + ".cs";
        int kept = SiteString.MaxEncodedChars;
        AllocatorEventSource.Log.SiteDefined(Site + 10, new SiteInfo(longFile, 9, "Long"));
        Expect("event", "SiteDefined", Site + 10, longFile[..kept] + SiteString.TruncationMarker(kept, longFile.Length), 9, "Long");
    }

    private static void Write(string name, Action write, params object[] fields)
    {
        write();
        Expect("event", name, fields);
    }

    private static void Expect(string origin, string name, params object[] fields) =>
        Console.WriteLine("EXPECT " + JsonSerializer.Serialize(new ExpectedRecord(origin, name, fields)));

    private static object[] Counts(HeapSnapshot counts) => [counts.LiveBlocks, counts.LiveBytes, counts.Allocations, counts.Frees];

    private sealed record ExpectedRecord(string Origin, string Name, object[] Fields);
}
