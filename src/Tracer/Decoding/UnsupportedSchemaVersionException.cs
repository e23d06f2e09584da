namespace LeakScope.Tracer.Decoding;

/// <summary>
/// The trace was written by a newer allocator than this tracer understands. The message names both
/// versions (heaptrack's rule): older schemas are always read, newer ones are refused rather than misread.
/// <see cref="What"/> says which version: the event's schema version, or the record format of a batch or exit file.
/// </summary>
public sealed class UnsupportedSchemaVersionException : TraceUnreadableException
{
    internal UnsupportedSchemaVersionException(string eventName, int eventId, int traceVersion, int supportedVersion, string what = "schema version")
        : base(
            $"{AllocatorSchema.ProviderName} event {eventName} (id {eventId}) has {what} {traceVersion}; " +
            $"this tracer reads versions up to {supportedVersion}. Update leakscope to read this trace.")
    {
        EventName = eventName;
        EventId = eventId;
        TraceVersion = traceVersion;
        SupportedVersion = supportedVersion;
        What = what;
    }

    /// <summary>The name of the event (or record stream) whose version was refused.</summary>
    public string EventName { get; }

    /// <summary>The event id as it appears in the trace.</summary>
    public int EventId { get; }

    /// <summary>The version the trace carries.</summary>
    public int TraceVersion { get; }

    /// <summary>The newest version this tracer reads.</summary>
    public int SupportedVersion { get; }

    /// <summary>Which version was refused: <c>schema version</c> for an event, or the record format of a batch or exit file.</summary>
    public string What { get; }
}
