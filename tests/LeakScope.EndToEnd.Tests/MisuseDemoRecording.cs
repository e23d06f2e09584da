namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// One real trace of MisuseDemo by the CLI, writing every format at once (<c>--format text,json,sarif,junit,html</c>
/// with one <c>-o</c> per format, in order) and the raw events; shared by the format, gate and rendering tests.
/// </summary>
public sealed class MisuseDemoRecording : IAsyncLifetime
{
    private readonly TempDirectory _directory = LeakScopeCli.TempDirectory();

    public string Text => _directory.File("report.txt");

    public string Json => _directory.File("report.json");

    public string Sarif => _directory.File("report.sarif");

    public string JUnit => _directory.File("report.junit.xml");

    public string Html => _directory.File("report.html");

    public string NetTrace => _directory.File("trace.nettrace");

    public int ExitCode { get; private set; }

    public string Output { get; private set; } = string.Empty;

    public string Errors { get; private set; } = string.Empty;

    public IReadOnlyList<string> Lines { get; private set; } = [];

    public string TempFile(string name) => _directory.File(name);

    public async Task InitializeAsync()
    {
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync(
            "trace", "--format", "text,json,sarif", "--format", "junit,html",
            "-o", Text, "-o", Json, "-o", Sarif, "-o", JUnit, "-o", Html,
            "--nettrace", NetTrace, "--source-root", Repo.Root,
            "--", "dotnet", Repo.MisuseDemoDll);
        using (cli)
        {
            ExitCode = exitCode;
            Output = cli.Output;
            Errors = cli.Errors;
            Lines = cli.Lines.ToArray();
        }
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}
