using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text.Json;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Events;
using LeakScope.Wire;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// The wire round trip: a real process writes every event id and every batch record tag of the schema (src/Wire) through
/// the allocator's real writers — <c>AllocatorEventSource</c>, a <c>BatchWriter</c> and its publishing, the exit handler's
/// exit file — over a real EventPipe session, and the tracer's real readers (<see cref="TraceEventAdapter"/>,
/// <see cref="RecordDecoder"/>, <see cref="BatchDecoder"/>, <see cref="ExitFileReader"/>) must give back every field as
/// written. A field written with another type or in another order than the schema says fails here: the decoder counts
/// a payload of the wrong length, and the values are chosen so that no misplaced read comes out equal.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class WireRoundTripTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_event_id_and_batch_record_tag_written_by_the_allocator_is_read_back_field_for_field()
    {
        RoundTrip trip = await RoundTrip.RunAsync();

        // Every per-operation event, as written (NUL and escape characters in caller-info strings included).
        HashSet<string> events = trip.Decoded.Where(d => d.Origin == "event").Select(d => d.Key).ToHashSet();
        foreach (Expected e in trip.Expected.Where(e => e.Origin == "event"))
        {
            Assert.True(events.Contains(e.Key), $"written but not read back: {e.Key}\nread: {string.Join("\n", events.Where(k => k.StartsWith(e.Name + " ", StringComparison.Ordinal)))}");
        }

        // Every batch record, from an AllocationBatch event (and once only, though the exit file replays its batch).
        List<string> batched = trip.Decoded.Where(d => d.Origin is "batch-event" or "exit").Select(d => d.Key).ToList();
        foreach (Expected e in trip.Expected.Where(e => e.Origin == "batch-event"))
        {
            Assert.Contains(e.Key, trip.Decoded.Where(d => d.Origin == "batch-event").Select(d => d.Key));
            Assert.Equal(1, batched.Count(k => k == e.Key));
        }

        // The records only the exit handler published, and the final heartbeat, from the exit file.
        foreach (Expected e in trip.Expected.Where(e => e.Origin == "exit"))
        {
            Assert.Contains(e.Key, trip.Decoded.Where(d => d.Origin == "exit").Select(d => d.Key));
        }

        // The exit file read alone holds every batch record: the batches the stream delivered are replayed there, and the
        // combined read skipped them by their header (tag 5: the writer and sequence read back equal from both places).
        HashSet<string> exitAlone = trip.ExitFileAlone.Select(d => d.Key).ToHashSet();
        Assert.All(trip.Expected.Where(e => e.Origin is "batch-event" or "exit"), e => Assert.Contains(e.Key, exitAlone));
        Assert.True(trip.Statistics.ReplayedBatches > 0, "the exit file replayed the published batch and its header matched");
        Assert.Equal(0, trip.Statistics.MissingBatches);

        // Nothing misread or lost on the way; the one site string longer than an event carries arrived cut, with its marker.
        Assert.Equal(0, trip.Statistics.Undecodable);
        Assert.Equal(0, trip.Statistics.SourceErrors);
        Assert.Equal(1, trip.Statistics.CutSiteStrings);
        Assert.Equal(ExitFileStatus.Read, trip.ExitFileStatus);
        Assert.True(trip.ExitHeartbeatSequence > 0, "the final heartbeat has its sequence");

        // Every event id and every record tag of the schema was sent: a new one without a case here fails.
        string[] idsSent = trip.Expected.Where(e => e.Origin == "event").Select(e => e.Name)
            .Concat(trip.Expected.Any(e => e.Origin == "batch-event") ? ["AllocationBatch"] : []).Distinct().Order().ToArray();
        Assert.Equal(WireSchema.Events.Select(e => e.Name).Order(), idsSent);
        byte[] tagsSent = trip.Expected.Where(e => e.Name.StartsWith("tag", StringComparison.Ordinal)).Select(e => byte.Parse(e.Name[3..], CultureInfo.InvariantCulture))
            .Append(BatchFormat.Header).Distinct().Order().ToArray();
        Assert.Equal(BatchFormat.Tags.ToArray().Order(), tagsSent);
    }

    /// <summary>One record: where it came from, its event name or record tag, its fields in schema order as text.</summary>
    private sealed record Decoded(string Origin, string Name, IReadOnlyList<string> Fields)
    {
        public string Key => Name + " " + string.Join(" | ", Fields);
    }

    private sealed record Expected(string Origin, string Name, IReadOnlyList<string> Fields)
    {
        public string Key => Name + " " + string.Join(" | ", Fields);

        public static Expected Parse(string line)
        {
            using JsonDocument json = JsonDocument.Parse(line["EXPECT ".Length..]);
            JsonElement root = json.RootElement;
            string[] fields = root.GetProperty("Fields").EnumerateArray()
                .Select(f => f.ValueKind == JsonValueKind.String ? "s:" + f.GetString() : f.GetRawText()).ToArray();
            return new Expected(root.GetProperty("Origin").GetString()!, root.GetProperty("Name").GetString()!, fields);
        }
    }

    private sealed class RoundTrip
    {
        public List<Expected> Expected { get; } = new();

        public List<Decoded> Decoded { get; } = new();

        public List<Decoded> ExitFileAlone { get; } = new();

        public DecoderStatistics Statistics { get; private set; } = new();

        public ExitFileStatus ExitFileStatus { get; private set; }

        public long ExitHeartbeatSequence { get; private set; }

        public static async Task<RoundTrip> RunAsync()
        {
            var trip = new RoundTrip();
            string exitPath = Path.Combine(Path.GetTempPath(), $"leakscope-wire-{Guid.NewGuid():N}.exit");
            File.WriteAllBytes(exitPath, []);
            try
            {
                using TestProcess target = TestProcess.Start("dotnet", Repo.MisuseTargetDll, "wire-round-trip");
                await target.WaitForLineAsync("WIRE READY", Bound);

                long everyKeyword = typeof(WireSchema.Keywords).GetFields().Aggregate(0L, (all, f) => all | (long)f.GetRawConstantValue()!);
                var provider = new EventPipeProvider(WireSchema.ProviderName, EventLevel.Verbose, everyKeyword,
                    new Dictionary<string, string> { [WireSchema.ExitFileArgument] = exitPath });
                var client = new DiagnosticsClient(target.Id);
                using var timeout = new CancellationTokenSource(Bound);
                using EventPipeSession session = await client.StartEventPipeSessionAsync(
                    new EventPipeSessionConfiguration([provider], 64, requestRundown: false, requestStackwalk: false), timeout.Token);

                var sink = new OriginSink(trip.Decoded);
                var decoder = new RecordDecoder(sink);
                Task reading = Task.Run(() =>
                {
                    using var source = new EventPipeEventSource(session.EventStream);
                    source.AllEvents += e => sink.Origin = (int)e.ID == WireSchema.EventIds.AllocationBatch ? "batch-event" : "event";
                    _ = new TraceEventAdapter(source, decoder);
                    source.Process();
                });

                Assert.Equal(0, await target.WaitForExitAsync(Bound));
                Assert.Contains("WIRE DONE", target.Lines);
                await reading.WaitAsync(Bound); // the stream ends with the target

                byte[] exitFile = File.ReadAllBytes(exitPath);
                sink.Origin = "exit";
                trip.ExitFileStatus = ExitFileReader.Read(exitFile, decoder);
                trip.Statistics = decoder.Statistics;
                trip.Statistics.MissingBatches = decoder.MissingBatches;
                trip.Expected.AddRange(target.Lines.Where(l => l.StartsWith("EXPECT ", StringComparison.Ordinal)).Select(WireRoundTripTests.Expected.Parse));

                var alone = new OriginSink(trip.ExitFileAlone) { Origin = "exit" };
                Assert.Equal(ExitFileStatus.Read, ExitFileReader.Read(exitFile, new RecordDecoder(alone)));
                trip.ExitHeartbeatSequence = sink.LastExitHeartbeatSequence;
            }
            finally
            {
                File.Delete(exitPath);
            }

            return trip;
        }
    }

    /// <summary>Keeps every record as text, in the schema's field order; batch records by tag, in the record's own order.</summary>
    private sealed class OriginSink(List<Decoded> records) : ITraceRecordSink
    {
        public string Origin { get; set; } = "event";

        public long LastExitHeartbeatSequence { get; private set; }

        private bool Batch => Origin != "event";

        public void On(in SiteDefined r) => Add("SiteDefined", r.Site.Value, r.File, r.Line, r.Member);

        public void On(in BlockAllocated r)
        {
            if (Batch)
            {
                Add("tag1", r.Id.Value, r.Size, r.Site.Value, (byte)r.Family);
            }
            else
            {
                Add("BlockAllocated", r.Id.Value, r.Address, r.Size, r.Site.Value, (byte)r.Family);
            }
        }

        public void On(in BlockFreed r)
        {
            if (Batch)
            {
                Add("tag2", r.Id.Value);
            }
            else
            {
                Add("BlockFreed", r.Id.Value, r.Address, r.Size, r.FreeSite.Value, (byte)r.Family);
            }
        }

        public void On(in BlockReallocated r)
        {
            if (Batch)
            {
                Add("tag3", r.OldId.Value, r.NewId.Value, r.NewSize, r.Site.Value, (byte)r.NewFamily);
            }
            else
            {
                Add("BlockReallocated", r.OldId.Value, r.OldAddress, r.OldSize, (byte)r.OldFamily, r.NewId.Value, r.NewAddress, r.NewSize, (byte)r.NewFamily, r.Site.Value);
            }
        }

        public void On(in AllocationsFolded r) => Add("tag4", r.Site.Value, (byte)r.Family, r.Count, r.Bytes);

        public void On(in MisuseReported r) =>
            Add("Misuse", (byte)r.Kind, (byte)r.BlockFamily, (byte)r.CallerFamily, r.Id.Value, r.Address, r.Size, r.Site.Value, r.AllocationSite.Value);

        public void On(in RundownStarted r) => Add("RundownStart", r.Generation);

        public void On(in RundownBlock r) => Add("RundownBlock", r.Id.Value, r.Address, r.Size, r.Site.Value, (byte)r.Family);

        public void On(in RundownStopped r) => Add("RundownStop", r.Generation, r.Blocks, r.Bytes);

        public void On(in Heartbeat r)
        {
            object[] counts = [r.Raw.LiveBlocks, r.Raw.LiveBytes, r.Raw.Allocations, r.Raw.Frees, r.Pool.LiveBlocks, r.Pool.LiveBytes, r.Pool.Allocations, r.Pool.Frees, r.MisuseCount, (int)r.Flags];
            if (Origin == "exit")
            {
                // The sequence of the final heartbeat is the allocator's own count: checked apart.
                LastExitHeartbeatSequence = r.Sequence;
                Add("Heartbeat", counts);
            }
            else
            {
                Add("Heartbeat", [r.Sequence, .. counts]);
            }
        }

        public void On(in ViewAcquired r) => Add("ViewAcquired", r.View.Value, r.Owner.Value, r.Site.Value, (byte)r.Kind);

        public void On(in ViewReleased r) => Add("ViewReleased", r.View.Value, r.Owner.Value, r.AcquireSite.Value, (byte)r.Kind);

        public void On(in ResizeBlocked r) => Add("ResizeBlocked", r.Owner.Value, r.Site.Value, r.RequestedLength, r.OutstandingViews);

        public void On(in ResizeBlockedView r) => Add("ResizeBlockedView", r.Owner.Value, r.View.Value, r.AcquireSite.Value);

        public void On(in ViewLeaked r) => Add("ViewLeaked", r.View.Value, r.Owner.Value, r.AcquireSite.Value, (byte)r.Kind);

        public void On(in OwnerCreated r) => Add("OwnerCreated", r.Owner.Value, (byte)r.Kind, r.Site.Value, r.Storage.Value);

        public void On(in OwnerDisposed r) => Add("OwnerDisposed", r.Owner.Value, (byte)r.Kind, r.Site.Value, r.Storage.Value);

        public void On(in OwnerFinalized r) => Add("OwnerFinalized", r.Owner.Value, (byte)r.Kind, r.CreationSite.Value, r.Storage.Value, r.Bytes, (byte)r.Family);

        public void On(in DetachFlushed r) => Add("DetachFlushed", r.Token, r.HeartbeatSequence);

        private void Add(string name, params object[] fields) =>
            records.Add(new Decoded(Origin, name, fields.Select(f => f is string s ? "s:" + s : Convert.ToString(f, CultureInfo.InvariantCulture)!).ToArray()));
    }
}
