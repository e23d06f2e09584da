using System.Diagnostics;
using LeakScope.Tracer.Reachability;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// Writes a heap dump (<c>DumpType.WithHeap</c>: the managed heap and the process's private read-write memory, which
/// holds the native heaps) of a held process. First through the runtime's diagnostics IPC
/// (<c>DiagnosticsClient.WriteDump</c>); when the runtime no longer answers — measured on .NET 10: its diagnostic
/// socket is gone once <c>ProcessExit</c> runs, which is exactly when a launched target holds — by running the
/// runtime's own <c>createdump</c>, found beside the target's <c>libcoreclr.so</c>, with <c>--withheap</c>.
/// </summary>
internal static class HeapDumper
{
    public static async Task WriteAsync(DiagnosticsClient? client, int pid, string path, CancellationToken cancellationToken)
    {
        string? ipcError = null;
        if (client is not null)
        {
            try
            {
                await client.WriteDumpAsync(DumpType.WithHeap, path, logDumpGeneration: false, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is ServerNotAvailableException or ServerErrorException or UnsupportedCommandException or IOException or TimeoutException)
            {
                ipcError = e.Message;
            }
        }

        string? createdump = CreatedumpOf(pid);
        if (createdump is null)
        {
            throw new ReachabilityException($"cannot write a heap dump of process {pid}: {ipcError ?? "no diagnostics client"}, and no createdump beside its libcoreclr.so");
        }

        var start = new ProcessStartInfo(createdump)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "--withheap", "-f", path, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new ReachabilityException($"cannot start {createdump}");
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        if (process.ExitCode != 0)
        {
            string said = string.Join(" ", (await output.ConfigureAwait(false) + " " + await errors.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            throw new ReachabilityException($"cannot write a heap dump of process {pid} to {path}: createdump exited with code {process.ExitCode}: {said}");
        }
    }

    /// <summary>The <c>createdump</c> of the runtime the process has loaded (its mapped <c>libcoreclr.so</c>'s folder), or null.</summary>
    private static string? CreatedumpOf(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/maps"))
            {
                int at = line.IndexOf('/', StringComparison.Ordinal);
                if (at >= 0 && line.EndsWith("/libcoreclr.so", StringComparison.Ordinal))
                {
                    string candidate = Path.Combine(Path.GetDirectoryName(line[at..])!, "createdump");
                    return File.Exists(candidate) ? candidate : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not ours to read.
        }

        return null;
    }
}
