namespace LeakScope.Tracer.Decoding;

/// <summary>
/// The trace was written by a newer allocator than this tracer understands. The message names both
/// versions (heaptrack's rule): older schemas are always read, newer ones are refused rather than misread.
/// </summary>
public sealed class UnsupportedSchemaVersionException(string eventName, int eventId, int traceVersion, int supportedVersion)
    : TraceUnreadableException(
        $"{AllocatorSchema.ProviderName} event {eventName} (id {eventId}) has schema version {traceVersion}; " +
        $"this tracer reads versions up to {supportedVersion}. Update leakscope to read this trace.")
{
    public string EventName { get; } = eventName;

    public int EventId { get; } = eventId;

    public int TraceVersion { get; } = traceVersion;

    public int SupportedVersion { get; } = supportedVersion;
}
