using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// A valid stream as the tracer would read it (threads' buffers interleaved, so frees may precede their
/// allocations), with what a correct engine must conclude from it: the final account of the session and every
/// finding except growth (which depends on where heartbeats fall and is checked by invariants only).
/// </summary>
internal sealed record GeneratedStream(
    IReadOnlyList<WireEvent> Events,
    FamilyCounts Raw,
    FamilyCounts Pool,
    IReadOnlyList<string> ExpectedFindings,
    IReadOnlyDictionary<int, (string File, int Line, string Member)> Sites,
    bool Attached);
