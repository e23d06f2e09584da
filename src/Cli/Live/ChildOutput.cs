using System.Collections.Concurrent;
using System.Text;

namespace LeakScope.Cli.Live;

/// <summary>
/// Collects a launched child's output lines while the terminal view is drawn, so they are printed above it by the one
/// thread that owns the console instead of tearing through it.
/// </summary>
internal sealed class ChildOutput : TextWriter
{
    private readonly ConcurrentQueue<string> _lines = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void WriteLine(string? value) => _lines.Enqueue(value ?? string.Empty);

    public override void Write(char value) => _lines.Enqueue(value.ToString());

    public bool TryTake(out string line) => _lines.TryDequeue(out line!);
}
