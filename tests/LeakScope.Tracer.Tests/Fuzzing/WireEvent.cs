namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// One <c>LeakScope-Allocator</c> event as <see cref="Decoding.RecordDecoder"/> receives it (id, version, payload
/// bytes), with the layout of its fields so that mutations can aim at ids, sizes, families, kinds and sites.
/// </summary>
internal sealed record WireEvent(int EventId, int Version, byte[] Payload, IReadOnlyList<WireField> Fields)
{
    /// <summary>True when a reorder may move it without changing what the stream means (a non-owned block's own record).</summary>
    public bool Movable { get; init; }

    public WireEvent WithPayload(byte[] payload, IReadOnlyList<WireField>? fields = null) =>
        this with { Payload = payload, Fields = fields ?? [] };
}
