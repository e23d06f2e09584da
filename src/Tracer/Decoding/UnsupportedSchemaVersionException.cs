namespace LeakScope.Tracer.Decoding;

/// <summary>
/// The trace was written by a newer allocator than this tracer understands. The message names both
/// versions (heaptrack's rule): older schemas are always read, newer ones are refused rather than misread.
/// <see cref="What"/> says which version: the event's schema version, or the record format of a batch or exit file.
/// </summary>
public sealed class UnsupportedSchemaVersionException(string eventName, int eventId, int traceVersion, int supportedVersion, string what = "schema version")
    : TraceUnreadableException(
        $"{AllocatorSchema.ProviderName} event {eventName} (id {eventId}) has {what} {traceVersion}; " +
        $"this tracer reads versions up to {supportedVersion}. Update leakscope to read this trace.")
{
    public string EventName { get; } = eventName;

    public int EventId { get; } = eventId;

    public int TraceVersion { get; } = traceVersion;

    public int SupportedVersion { get; } = supportedVersion;

    public string What { get; } = what;
}
