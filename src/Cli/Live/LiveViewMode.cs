namespace LeakScope.Cli.Live;

/// <summary>How a trace in progress is shown on stderr: redrawn in place on a terminal, as plain lines when redirected, or not at all.</summary>
internal enum LiveViewMode
{
    None,
    Terminal,
    Lines,
}
