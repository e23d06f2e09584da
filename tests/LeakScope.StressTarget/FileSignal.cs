namespace LeakScope.StressTarget;

/// <summary>A file as a signal from the test: waiting for it is told by the file system, not found by looking again and again.</summary>
internal static class FileSignal
{
    /// <summary>True once <paramref name="path"/> exists; false if it did not appear within <paramref name="bound"/>.</summary>
    public static bool Wait(string path, TimeSpan bound)
    {
        using var created = new ManualResetEventSlim();
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileName(path));
        watcher.Created += (_, _) => created.Set();
        watcher.Renamed += (_, _) => created.Set();
        watcher.EnableRaisingEvents = true;
        return File.Exists(path) || created.Wait(bound) || File.Exists(path);
    }
}
