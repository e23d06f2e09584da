namespace LeakScope.Tracer.Sessions;

/// <summary>
/// What the stack sources gave: samples and misuse stacks with a walked stack, methods described by the runtime, frames no
/// method described, and what the stack-walking session lost (a lost stack event loses a stack, never a block).
/// </summary>
public sealed record StackStatistics(long Samples, long MisuseStacks, long Unstacked, int Methods, long UnknownFrames, long EventsLost, bool Broken);
