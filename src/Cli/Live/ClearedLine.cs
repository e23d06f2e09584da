using Spectre.Console;
using Spectre.Console.Rendering;

namespace LeakScope.Cli.Live;

/// <summary>
/// A line of a child's output printed above the live view: it first erases the terminal line it lands on, so no tail
/// of the view's previous frame is left after a shorter line.
/// </summary>
internal sealed class ClearedLine(string text) : IRenderable
{
    private const string EraseLine = "\u001b[2K";

    public Measurement Measure(RenderOptions options, int maxWidth) => new(Math.Min(text.Length, maxWidth), Math.Min(text.Length, maxWidth));

    public IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
    {
        if (options.Ansi)
        {
            yield return Segment.Control(EraseLine);
        }

        yield return new Segment(text);
        yield return Segment.LineBreak;
    }
}
