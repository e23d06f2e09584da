namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>What a mutation does to a valid stream. Named in failure messages, so a failing seed says what broke it.</summary>
internal enum Mutation
{
    // The stream: what EventPipe loss, a cut connection or a damaged file can do.
    DropOne,
    DropRange,
    Duplicate,
    DuplicateRange,
    Move,
    SwapAdjacent,
    ReverseRange,
    Truncate,

    // One field of one event.
    CorruptId,
    CorruptSize,
    CorruptFamily,
    CorruptKind,
    CorruptSite,
    CorruptCount,
    CorruptAddress,
    CorruptText,

    // The bytes of one event.
    CutPayload,
    FlipBits,
    ExtendPayload,
    EmptyPayload,
    RandomPayload,
    UnknownEventId,
    SourceError,
    OlderVersion,
    NewerVersion,
}
