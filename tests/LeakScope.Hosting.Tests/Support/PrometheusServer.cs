using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace LeakScope.Hosting.Tests.Support;

/// <summary>
/// A real Prometheus server (the Debian package's <c>/usr/bin/prometheus</c>, installed by <c>.ci/run</c>) on a free
/// loopback port with its own configuration and storage in a temporary folder, scraping one target every second and
/// evaluating the given rule files. Never the system service: disposing kills this process (by its PID) and deletes
/// the folder.
/// </summary>
internal sealed class PrometheusServer : IDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly ChildProcess _process;
    private readonly string _folder;

    private PrometheusServer(ChildProcess process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public HttpClient Client { get; }

    public static PrometheusServer Start(string target, IEnumerable<string> ruleFiles)
    {
        if (!File.Exists(Binary))
        {
            throw new FileNotFoundException($"{Binary} is missing: install the Debian package 'prometheus' (.ci/run does)");
        }

        string folder = Directory.CreateTempSubdirectory("leakscope-prometheus-").FullName;
        var rules = new List<string>();
        foreach (string file in ruleFiles)
        {
            string copy = Path.Combine(folder, Path.GetFileName(file));
            File.Copy(file, copy);
            rules.Add(copy);
        }

        string config = Path.Combine(folder, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files:
            {string.Concat(rules.Select(r => $"  - '{r}'\n"))}
            scrape_configs:
              - job_name: leakywebservice
                metrics_path: /metrics
                static_configs:
                  - targets: ['{target}']
            """);
        int port = ChildProcess.FreePort();
        ChildProcess process = ChildProcess.Start(Binary,
        [
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=info",
        ]);
        var server = new PrometheusServer(process, folder, port);
        try
        {
            process.Output.WaitFor(l => l.Contains("Server is ready to receive web requests", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "prometheus ready");
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    public Lines Output => _process.Output;

    /// <summary>An instant query: each series' labels and value.</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using JsonDocument doc = JsonDocument.Parse(await Client.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(promql)));
        JsonElement root = doc.RootElement;
        Assert.Equal("success", root.GetProperty("status").GetString());
        var series = new List<(Dictionary<string, string>, double)>();
        foreach (JsonElement s in root.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = s.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
            double value = double.Parse(s.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            series.Add((labels, value));
        }

        return series;
    }

    public void Dispose()
    {
        Client.Dispose();
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Leave a temp folder rather than fail the test on cleanup.
        }
    }
}
