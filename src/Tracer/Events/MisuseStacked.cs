namespace LeakScope.Tracer.Events;

/// <summary>The stack of the call that misused block <see cref="Id"/> (a misuse event 5 seen with its stack): <see cref="StackId"/>.</summary>
public readonly record struct MisuseStacked(MisuseKind Kind, AllocationId Id, SiteId Site, int StackId);
