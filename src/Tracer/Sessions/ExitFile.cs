using System.Diagnostics;
using LeakScope.Tracer.Decoding;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// The tracer's side of the exit file (docs/exit-file.md). The runtime disables EventPipe sessions before any
/// managed exit hook runs, so the allocator writes its last batch records and its final heartbeat into a file
/// the tracer names in the provider arguments. The tracer creates it empty (the allocator only writes a file
/// that exists), reads it once the target has exited, and deletes it — before detaching, when it detaches
/// from a target that keeps running, so that nothing is written to it later.
/// </summary>
internal sealed class ExitFile : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    private ExitFile(string path) => Path = path;

    public string Path { get; }

    /// <summary>Removed before detaching: the target will not write it.</summary>
    public bool Withdrawn { get; private set; }

    /// <summary>Creates an empty file with a unique name in the temp directory.</summary>
    public static ExitFile Create()
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"leakscope-exit-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
        using (new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
        }

        return new ExitFile(path);
    }

    /// <summary>Deletes the file so a target that keeps running writes nothing when it exits later.</summary>
    public void Withdraw()
    {
        Withdrawn = true;
        Delete();
    }

    /// <summary>
    /// Waits until the file holds a whole exit report, or the target is gone (then reads it one last time), or
    /// <paramref name="timeout"/> passes; returns what it holds then (empty when nothing was written).
    /// </summary>
    public async Task<byte[]> CollectAsync(Func<bool> targetGone, TimeSpan timeout)
    {
        if (Withdrawn)
        {
            return [];
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            bool gone = targetGone();
            byte[] content = ReadAll();
            if (gone || ExitFileReader.IsComplete(content) || clock.Elapsed >= timeout)
            {
                return content;
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }

    public void Dispose() => Delete();

    private byte[] ReadAll()
    {
        try
        {
            using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            using var copy = new MemoryStream();
            file.CopyTo(copy);
            return copy.ToArray();
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }

    private void Delete()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Only litter in the temp directory.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
