namespace LeakScope.Tracer.Sessions;

/// <summary>
/// A process with a .NET diagnostic socket. <see cref="UsesAllocator"/>: whether <c>LeakScope.Allocator.dll</c> is
/// mapped into it (from <c>/proc/&lt;pid&gt;/maps</c>; null when that cannot be read).
/// </summary>
public sealed record TraceableProcess(int Pid, string Name, string CommandLine, bool? UsesAllocator);
