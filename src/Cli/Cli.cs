using LeakScope.Tracer;

namespace LeakScope.Cli;

/// <summary>Maps the library's outcomes and typed exceptions to exit codes and one-line messages.</summary>
internal static class Cli
{
    public static int Usage(string message)
    {
        Console.Error.WriteLine($"leakscope: {message}");
        return (int)ExitCode.UsageError;
    }

    /// <summary>Runs a command body: expected failures print one line, no stack trace; anything else is a bug and prints in full.</summary>
    public static async Task<int> RunAsync(Func<Task<ExitCode>> body)
    {
        try
        {
            return (int)await body().ConfigureAwait(false);
        }
        catch (TracerException e)
        {
            Console.Error.WriteLine($"leakscope: {e.Message}");
            return (int)ExitCode.TraceFailed;
        }
        catch (IOException e) when (e is DirectoryNotFoundException or FileNotFoundException || e.GetType() == typeof(IOException))
        {
            Console.Error.WriteLine($"leakscope: {e.Message}");
            return (int)ExitCode.TraceFailed;
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"leakscope: {e.Message}");
            return (int)ExitCode.TraceFailed;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("leakscope: cancelled before tracing started");
            return (int)ExitCode.TraceFailed;
        }
    }
}
