using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>One stream fed through the TraceEvent-free path a live session takes (<see cref="RecordDecoder"/> → <see cref="AnalysisEngine"/>) and judged.</summary>
internal sealed class JudgedStream
{
    private JudgedStream(AnalysisEngine engine, MutatedStream stream, CheckingSink sink, DecoderStatistics decoder, StreamSummary summary, AnalysisResult? result, UnsupportedSchemaVersionException? refused)
    {
        _engine = engine;
        Stream = stream;
        Sink = sink;
        Decoder = decoder;
        Summary = summary;
        Result = result;
        Refused = refused;
    }

    private readonly AnalysisEngine _engine;

    public MutatedStream Stream { get; }

    public CheckingSink Sink { get; }

    public DecoderStatistics Decoder { get; }

    public StreamSummary Summary { get; }

    /// <summary>Null when the stream was refused for a newer schema version.</summary>
    public AnalysisResult? Result { get; }

    public UnsupportedSchemaVersionException? Refused { get; }

    public static JudgedStream Judge(MutatedStream stream)
    {
        var engine = new AnalysisEngine();
        var sink = new CheckingSink(engine);
        var decoder = new RecordDecoder(sink);
        UnsupportedSchemaVersionException? refused = null;
        foreach (WireEvent e in stream.Events)
        {
            try
            {
                decoder.Decode(e.EventId, e.Version, e.Payload);
            }
            catch (UnsupportedSchemaVersionException ex)
            {
                // The live reader and the file reader both stop here: a newer trace is refused, not misread.
                refused = ex;
                break;
            }
        }

        var summary = new StreamSummary(stream.End, stream.EventsLost, decoder.Statistics.Undecodable, stream.CleanEnd);
        return new JudgedStream(engine, stream, sink, decoder.Statistics, summary, refused is null ? engine.Finish(summary) : null, refused);
    }

    /// <summary>Judges the same engine again (Finish must not change it).</summary>
    public AnalysisResult Rejudge() => _engine.Finish(Summary);

    /// <summary>The JSON report of <see cref="Result"/>, rendered once.</summary>
    public string Json => _json ??= JsonReportWriter.ToJson(Report());

    private string? _json;

    public TraceReport Report() => new(Result!, new TargetInfo(4242, "dotnet Fuzz.dll --seed"), Session: null);
}
