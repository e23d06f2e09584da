using LeakScope.Tracer;
using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Reporting;

namespace LeakScope.Cli;

/// <summary>
/// The one place that maps failures to exit codes: expected ones (usage errors, the library's typed exceptions, file
/// errors) print one line to stderr with no stack trace; anything else is a bug and propagates to print in full.
/// </summary>
internal static class ErrorHandling
{
    public static async Task<int> RunAsync(Func<Task<ExitCode>> body)
    {
        try
        {
            return (int)await body().ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            return Fail(e.Message, ExitCode.UsageError);
        }
        catch (SuppressionFileException e)
        {
            return Fail(e.Message, ExitCode.UsageError);
        }
        catch (TracerException e)
        {
            return Fail(e.Message, ExitCode.TraceFailed);
        }
        catch (IOException e) when (e is DirectoryNotFoundException or FileNotFoundException || e.GetType() == typeof(IOException))
        {
            return Fail(e.Message, ExitCode.TraceFailed);
        }
        catch (UnauthorizedAccessException e)
        {
            return Fail(e.Message, ExitCode.TraceFailed);
        }
        catch (OperationCanceledException)
        {
            return Fail("cancelled before tracing started", ExitCode.TraceFailed);
        }
    }

    public static int Fail(string message, ExitCode code)
    {
        // Messages quote what the user or a file gave (a suppressions line, a name): no raw control bytes on the terminal.
        Console.Error.WriteLine($"leakscope: {PrintableText.Escape(message)}");
        return (int)code;
    }
}
