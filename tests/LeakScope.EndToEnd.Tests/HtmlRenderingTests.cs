using System.Buffers.Binary;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// The HTML report of a real trace renders in headless Chromium (Debian package <c>chromium</c>, installed by
/// <c>.ci/run</c>): its script runs under its own Content-Security-Policy, the chart is in the rendered DOM, and the
/// screenshot is a real page. A missing Chromium fails the test — it never skips itself.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class HtmlRenderingTests(MisuseDemoRecording recording)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static string Chromium =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("headless Chromium is required for this test: apt-get install -y chromium (.ci/run installs it)");

    private static async Task<string> RunChromiumAsync(TempDirectory profile, params string[] arguments)
    {
        using var chromium = TestProcess.Start(Chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", $"--user-data-dir={profile.Path}", .. arguments]);
        int exitCode = await chromium.WaitForExitAsync(Bound);
        Assert.True(exitCode == 0, $"chromium exited {exitCode}: {chromium.Errors}");
        return chromium.Output;
    }

    [Fact]
    public async Task The_report_renders_offline_and_its_script_runs()
    {
        using TempDirectory profile = LeakScopeCli.TempDirectory();
        string url = new Uri(recording.Html).AbsoluteUri;

        string dom = await RunChromiumAsync(profile, "--dump-dom", url);
        Assert.Contains("data-script=\"ran\"", dom, StringComparison.Ordinal);
        Assert.Contains("id=\"findings\"", dom, StringComparison.Ordinal);
        Assert.Contains("MisuseDemo.dll", dom, StringComparison.Ordinal);

        string report = profile.File("report.png");
        string blank = profile.File("blank.png");
        await File.WriteAllTextAsync(profile.File("blank.html"), "<!DOCTYPE html><html><body></body></html>");
        await RunChromiumAsync(profile, "--window-size=1200,1600", $"--screenshot={report}", url);
        await RunChromiumAsync(profile, "--window-size=1200,1600", $"--screenshot={blank}", new Uri(profile.File("blank.html")).AbsoluteUri);

        byte[] png = await File.ReadAllBytesAsync(report);
        Assert.True(png.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), "not a PNG");
        Assert.Equal((1200, 1600), (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
        long blankSize = new FileInfo(blank).Length;
        Assert.True(png.Length > 5 * blankSize, $"the screenshot ({png.Length} B) looks empty next to a blank page ({blankSize} B)");
    }
}
