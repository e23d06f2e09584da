namespace LeakScope.EndToEnd.Tests;

/// <summary>Runs the built <c>leakscope</c> command as a user would, bounded in time; the process is killed on timeout.</summary>
internal static class LeakScopeCli
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(45);

    public static Task<(int ExitCode, TestProcess Process)> RunAsync(params string[] arguments) => RunAsync(null, arguments);

    public static async Task<(int ExitCode, TestProcess Process)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var process = TestProcess.Start("dotnet", environment, [Repo.CliDll, .. arguments]);
        try
        {
            int exitCode = await process.WaitForExitAsync(Bound);
            return (exitCode, process);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>A fresh directory for a test's files, removed on dispose.</summary>
    public static TempDirectory TempDirectory() => new();
}
