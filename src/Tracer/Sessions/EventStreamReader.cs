using System.Diagnostics;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Decoding;
using Microsoft.Diagnostics.Tracing;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// The one path every source takes: an EventPipe stream (a live session's or a <c>.nettrace</c> file's,
/// which are the same format) → TraceEvent → <see cref="TraceEventAdapter"/> → <see cref="RecordDecoder"/>
/// → <see cref="AnalysisEngine"/>. Reads on the calling thread until the stream ends; then the target's exit
/// file, if it wrote one, goes through the same decoder into the same engine.
/// </summary>
internal sealed class EventStreamReader
{
    private readonly AnalysisEngine _engine;
    private readonly RecordDecoder _decoder;

    public EventStreamReader(AnalysisOptions options)
    {
        _engine = new AnalysisEngine(options);
        _decoder = new RecordDecoder(_engine);
    }

    public AnalysisEngine Engine => _engine;

    public DecoderStatistics Decoder => _decoder.Statistics;

    public long EventsRead { get; private set; }

    public long EventsLost { get; private set; }

    public string? CommandLine { get; private set; }

    public int ProcessId { get; private set; }

    public TimeSpan ReadTime { get; private set; }

    /// <summary>True when the stream ended in the middle of a block (the target died, or the connection was cut).</summary>
    public bool StreamBroken { get; private set; }

    /// <summary>What became of the exit file (set by <see cref="ReadExitFile"/> or <see cref="ExitFileWithdrawn"/>).</summary>
    public ExitFileStatus ExitFile { get; private set; }

    /// <summary>The session asked for the high-rate mode (a recorded file says so by carrying batches).</summary>
    public bool RequestedBatches { get; init; }

    /// <summary>Feeds the target's exit file — its last batch records and final heartbeat — after the stream.</summary>
    public void ReadExitFile(ReadOnlySpan<byte> content) => ExitFile = ExitFileReader.Read(content, _decoder);

    /// <summary>The tracer detached and removed the exit file before the target exited.</summary>
    public void ExitFileWithdrawn() => ExitFile = ExitFileStatus.Withdrawn;

    /// <summary>Reads <paramref name="stream"/> to its end. <paramref name="live"/>: a stream cut short is the end of a dying target, not a corrupt trace.</summary>
    public void Read(Stream stream, bool live)
    {
        var clock = Stopwatch.StartNew();
        EventPipeEventSource source;
        try
        {
            source = new EventPipeEventSource(stream);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (live)
            {
                StreamBroken = true;
                return;
            }

            throw new TraceUnreadableException($"not a readable EventPipe trace: {e.Message}", e);
        }

        using (source)
        {
            var adapter = new TraceEventAdapter(source, _decoder);
            try
            {
                source.Process();
            }
            catch (UnsupportedSchemaVersionException)
            {
                throw;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (!live)
                {
                    throw new TraceUnreadableException($"the trace is corrupt or truncated after {adapter.Events} events: {e.Message}", e);
                }

                StreamBroken = true;
            }
            finally
            {
                EventsRead = adapter.Events;
                EventsLost = source.EventsLost;
                CommandLine = adapter.CommandLine;
                ProcessId = adapter.ProcessId;
                ReadTime = clock.Elapsed;
            }
        }
    }

    public AnalysisResult Judge(StreamEnd end)
    {
        DecoderStatistics decoded = _decoder.Statistics;
        decoded.MissingBatches = _decoder.MissingBatches;
        return _engine.Finish(new StreamSummary(end, EventsLost, decoded.Undecodable, CleanEnd: !StreamBroken)
        {
            Batched = RequestedBatches || decoded.Batches > 0 || decoded.MalformedBatches > 0,
            ExitFile = ExitFile,
            MissingBatches = decoded.MissingBatches,
        });
    }
}
