namespace LeakScope.Tracer.Decoding;

/// <summary>What the decoder did with the events it was given. Nothing is dropped silently: what it could not decode is counted here, by reason.</summary>
public sealed class DecoderStatistics
{
    private readonly Dictionary<int, long> _unknownIds = new();

    /// <summary>LeakScope-Allocator events turned into records.</summary>
    public long Decoded { get; internal set; }

    /// <summary>LeakScope-Allocator events whose payload was shorter than their schema or carried an impossible block size (truncated or corrupt).</summary>
    public long Truncated { get; internal set; }

    /// <summary>Events of ids this tracer does not know (e.g. a newer allocator's), by id.</summary>
    public IReadOnlyDictionary<int, long> UnknownIds => _unknownIds;

    /// <summary>EventSource's own error events (id 0) from the provider: the allocator failed to write an event.</summary>
    public long SourceErrors { get; internal set; }

    /// <summary>The first few messages of <see cref="SourceErrors"/>.</summary>
    public List<string> SourceErrorMessages { get; } = new();

    /// <summary>Events of other providers (EventPipe's own, the runtime's): ignored by design, counted for the record.</summary>
    public long OtherProviders { get; internal set; }

    /// <summary>Every LeakScope-Allocator event that did not become a record.</summary>
    public long Undecodable => Truncated + SourceErrors + _unknownIds.Values.Sum();

    internal void UnknownId(int id)
    {
        _unknownIds.TryGetValue(id, out long count);
        _unknownIds[id] = count + 1;
    }
}
