// A web service that embeds LeakScope.Allocator and LeakScope.Hosting: per-site leak signals through the OpenTelemetry
// Prometheus exporter (/metrics), optionally OTLP, and the "leakscope" health check (/health), with no tracer.
//
//   dotnet run --project samples/LeakyWebService -- --urls http://127.0.0.1:5080
//   curl -X POST http://127.0.0.1:5080/leak      # keeps 4 KiB per request (a cache that never evicts)
//   curl -X POST http://127.0.0.1:5080/churn     # allocates and frees: never grows
//   curl http://127.0.0.1:5080/health; curl http://127.0.0.1:5080/metrics
//
// Settings (command line --Key=value or environment LeakScope__Key / Otlp__Endpoint):
//   LeakScope:SampleInterval  the watcher's interval (TimeSpan, default 00:00:10; tests use a short one)
//   LeakScope:MaxSites        the per-site gauges' bound (default 20)
//   Otlp:Endpoint             also export metrics over OTLP/HTTP (protobuf) to this base address
using System.Collections.Concurrent;
using LeakScope.Allocator;
using LeakScope.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

builder.Services.AddLeakScope(o =>
{
    if (builder.Configuration["LeakScope:SampleInterval"] is { } interval)
    {
        o.SampleInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture);
    }

    if (builder.Configuration["LeakScope:MaxSites"] is { } maxSites)
    {
        o.MaxSites = int.Parse(maxSites, System.Globalization.CultureInfo.InvariantCulture);
    }
});
builder.Services.AddHealthChecks().AddLeakScope();

string? otlp = builder.Configuration["Otlp:Endpoint"];
builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
{
    metrics.AddMeter("LeakScope.Allocator").AddPrometheusExporter();
    if (otlp is not null)
    {
        metrics.AddOtlpExporter((exporter, reader) =>
        {
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            exporter.Endpoint = new Uri(new Uri(otlp), "v1/metrics");
            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 500;
        });
    }
});

WebApplication app = builder.Build();

// One line per Prometheus scrape, so whoever watches the output (the tests) knows when a scrape has been answered.
ILogger scrapes = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LeakyWebService.Scrapes");
app.Use(async (context, next) =>
{
    await next(context);
    if (context.Request.Path == "/metrics")
    {
        scrapes.LogInformation("scraped /metrics: {Status}", context.Response.StatusCode);
    }
});

app.MapPost("/leak", () => Cache.Leak());
app.MapPost("/churn", () => Cache.Churn());
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthJson.WriteAsync });
app.MapPrometheusScrapingEndpoint("/metrics");

app.Run();

internal static unsafe class Cache
{
    private static readonly ConcurrentBag<nint> s_kept = new();

    /// <summary>Keeps 4 KiB per request and never lets it go: the site LeakScope should name.</summary>
    public static IResult Leak()
    {
        nint block = (nint)PoolHeap.Malloc(4096);
        s_kept.Add(block);
        return Results.Ok(new { kept = s_kept.Count });
    }

    /// <summary>Allocates the same amount and frees it before answering: live bytes go up and back down.</summary>
    public static IResult Churn()
    {
        void* block = PoolHeap.Malloc(4096);
        new Span<byte>(block, 4096).Fill(1);
        PoolHeap.Free(block);
        return Results.Ok(new { churned = 4096 });
    }
}

/// <summary>The health report as JSON: status, description and the check's data (flagged sites, bytes, rate, duration).</summary>
internal static class HealthJson
{
    public static Task WriteAsync(HttpContext context, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        return context.Response.WriteAsJsonAsync(body);
    }
}
