using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Events;

/// <summary>A resolved call stack, innermost frame first, LeakScope's own frames removed; samples refer to it by <see cref="StackId"/>.</summary>
public readonly record struct StackDefined(int StackId, IReadOnlyList<CallFrame> Frames);
