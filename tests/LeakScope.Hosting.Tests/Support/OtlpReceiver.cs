using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LeakScope.Hosting.Tests.Support;

/// <summary>
/// An in-test OTLP/HTTP metrics receiver: Debian packages no OpenTelemetry collector, so this stands in for one. It
/// serves <c>POST /v1/metrics</c> on a free loopback port, decodes each <c>ExportMetricsServiceRequest</c> from the
/// protobuf wire format (field numbers from opentelemetry-proto's metrics.proto / common.proto) and hands every number
/// data point of a gauge or sum to <see cref="Points"/>.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<OtlpPoint> _points = Channel.CreateUnbounded<OtlpPoint>();

    private OtlpReceiver(WebApplication app, int port)
    {
        _app = app;
        Endpoint = $"http://127.0.0.1:{port}/";
    }

    public string Endpoint { get; }

    public ChannelReader<OtlpPoint> Points => _points.Reader;

    public static async Task<OtlpReceiver> StartAsync()
    {
        int port = ChildProcess.FreePort();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var receiver = new OtlpReceiver(app, port);
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            foreach (OtlpPoint point in Decode(body.ToArray()))
            {
                receiver._points.Writer.TryWrite(point);
            }

            // An empty ExportMetricsServiceResponse.
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        _points.Writer.TryComplete();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }</summary>
    internal static List<OtlpPoint> Decode(byte[] request)
    {
        var points = new List<OtlpPoint>();
        foreach (ByteString resource in Fields(request, 1))
        {
            // ResourceMetrics { repeated ScopeMetrics scope_metrics = 2; } ScopeMetrics { repeated Metric metrics = 2; }
            foreach (ByteString scope in Fields(resource.ToByteArray(), 2))
            {
                foreach (ByteString metric in Fields(scope.ToByteArray(), 2))
                {
                    byte[] m = metric.ToByteArray();
                    // Metric { string name = 1; Gauge gauge = 5; Sum sum = 7; } Gauge / Sum { repeated NumberDataPoint data_points = 1; }
                    string name = Fields(m, 1).Select(b => b.ToStringUtf8()).FirstOrDefault() ?? "";
                    foreach (ByteString data in Fields(m, 5).Concat(Fields(m, 7)))
                    {
                        foreach (ByteString point in Fields(data.ToByteArray(), 1))
                        {
                            points.Add(DecodePoint(name, point.ToByteArray()));
                        }
                    }
                }
            }
        }

        return points;
    }

    /// <summary>NumberDataPoint { double as_double = 4; sfixed64 as_int = 6; repeated KeyValue attributes = 7; }</summary>
    private static OtlpPoint DecodePoint(string name, byte[] bytes)
    {
        var input = new CodedInputStream(bytes);
        var attributes = new Dictionary<string, string>();
        double value = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 4 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Fixed64:
                    value = input.ReadDouble();
                    break;
                case 6 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Fixed64:
                    value = input.ReadSFixed64();
                    break;
                case 7 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    // KeyValue { string key = 1; AnyValue value = 2; } AnyValue { string string_value = 1; }
                    byte[] kv = input.ReadBytes().ToByteArray();
                    string key = Fields(kv, 1).Select(b => b.ToStringUtf8()).FirstOrDefault() ?? "";
                    string text = Fields(kv, 2).SelectMany(v => Fields(v.ToByteArray(), 1)).Select(b => b.ToStringUtf8()).FirstOrDefault() ?? "";
                    attributes[key] = text;
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new OtlpPoint(name, attributes, value);
    }

    /// <summary>Every length-delimited field numbered <paramref name="number"/> of a message, in order.</summary>
    private static List<ByteString> Fields(byte[] message, int number)
    {
        var found = new List<ByteString>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }
}

/// <summary>One data point an OTLP exporter sent: its metric's name, its attributes and its value.</summary>
internal sealed record OtlpPoint(string Metric, IReadOnlyDictionary<string, string> Attributes, double Value);
