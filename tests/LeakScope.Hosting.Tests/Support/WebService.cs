using System.Net.Http.Json;
using System.Text.Json;

namespace LeakScope.Hosting.Tests.Support;

/// <summary>samples/LeakyWebService as a child process on a free loopback port; disposing kills it by its PID.</summary>
internal sealed class WebService : IDisposable
{
    private readonly ChildProcess _process;

    private WebService(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    public Lines Output => _process.Output;

    /// <summary>Starts it with <paramref name="sampleInterval"/> and any extra <c>--Key=value</c> settings, and waits until it listens.</summary>
    public static WebService Start(TimeSpan sampleInterval, params string[] settings)
    {
        int port = ChildProcess.FreePort();
        ChildProcess process = ChildProcess.Start("dotnet",
        [
            Repo.LeakyWebServiceDll,
            "--urls", $"http://127.0.0.1:{port}",
            $"--LeakScope:SampleInterval={sampleInterval:c}",
            .. settings,
        ]);
        var service = new WebService(process, port);
        try
        {
            process.Output.WaitFor(l => l.Contains("Now listening on", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "LeakyWebService listening");
        }
        catch
        {
            service.Dispose();
            throw;
        }

        return service;
    }

    /// <summary>GET /health: its overall status and the leakscope check's data.</summary>
    public async Task<Health> HealthAsync()
    {
        using HttpResponseMessage response = await Client.GetAsync("health");
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement check = doc.RootElement.GetProperty("checks").GetProperty("leakscope");
        JsonElement data = check.GetProperty("data");
        long? sample = data.TryGetProperty("sample", out JsonElement n) ? n.GetInt64() : null;
        var sites = data.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object).Select(p => p.Name).ToArray();
        return new Health(check.GetProperty("status").GetString()!, sample, sites, check.ToString());
    }

    public async Task LeakAsync() => (await Client.PostAsync("leak", null)).EnsureSuccessStatusCode().Dispose();

    public async Task ChurnAsync() => (await Client.PostAsync("churn", null)).EnsureSuccessStatusCode().Dispose();

    public void Dispose()
    {
        Client.Dispose();
        _process.Dispose();
    }

    /// <summary>The leakscope check: status, the sample it judged, the flagged sites (<c>File.cs:line (member, family)</c>).</summary>
    internal sealed record Health(string Status, long? Sample, string[] GrowingSites, string Json);
}
