namespace LeakScope.Tracer.Decoding;

/// <summary>What the decoder did with the events it was given. Nothing is dropped silently: what it could not decode is counted here, by reason.</summary>
public sealed class DecoderStatistics
{
    private readonly Dictionary<int, long> _unknownIds = new();

    /// <summary>LeakScope-Allocator events turned into records.</summary>
    public long Decoded { get; internal set; }

    /// <summary>
    /// LeakScope-Allocator events whose payload did not match their schema: shorter or longer than its fields, an
    /// impossible block size, a site string that cannot have been encoded by the allocator (truncated or corrupt).
    /// </summary>
    public long Truncated { get; internal set; }

    /// <summary>
    /// Site files or members longer than the allocator sends (docs/wire-schema.md): they arrived cut, and the site
    /// shows the kept part with a marker saying how long the original was. Not undecodable: every figure is right.
    /// </summary>
    public long CutSiteStrings { get; internal set; }

    /// <summary>Events of ids this tracer does not know (e.g. a newer allocator's), by id.</summary>
    public IReadOnlyDictionary<int, long> UnknownIds => _unknownIds;

    /// <summary>EventSource's own error events (id 0) from the provider: the allocator failed to write an event.</summary>
    public long SourceErrors { get; internal set; }

    /// <summary>The first few messages of <see cref="SourceErrors"/>.</summary>
    public List<string> SourceErrorMessages { get; } = new();

    /// <summary>Events of other providers (EventPipe's own, the runtime's): ignored by design, counted for the record.</summary>
    public long OtherProviders { get; internal set; }

    /// <summary>High-rate batches (events or exit file sections) whose every record decoded.</summary>
    public long Batches { get; internal set; }

    /// <summary><c>StackSample</c> events seen in this stream (their stacks are read apart, by the stack adapter).</summary>
    public long StackSamples { get; internal set; }

    /// <summary>Records decoded from batches (each is one allocation, free, realloc or folded counter).</summary>
    public long BatchRecords { get; internal set; }

    /// <summary>Batches cut short, with an impossible length or an unknown record tag: the rest of such a batch is lost.</summary>
    public long MalformedBatches { get; internal set; }

    /// <summary>Batches that never arrived though a later one of the same writer did (set when the stream is judged).</summary>
    public long MissingBatches { get; internal set; }

    /// <summary>Batches the exit file repeated that the stream had already delivered (skipped).</summary>
    public long ReplayedBatches { get; internal set; }

    /// <summary>An exit file that was written but could not be read to its end marker (0 or 1).</summary>
    public long MalformedExitFiles { get; internal set; }

    /// <summary>Every LeakScope-Allocator event (or exit file) that did not become records, in whole or in part.</summary>
    public long Undecodable => Truncated + SourceErrors + MalformedBatches + MalformedExitFiles + _unknownIds.Values.Sum();

    internal void UnknownId(int id)
    {
        _unknownIds.TryGetValue(id, out long count);
        _unknownIds[id] = count + 1;
    }
}
