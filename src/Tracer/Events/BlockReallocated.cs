namespace LeakScope.Tracer.Events;

/// <summary>A successful realloc (event 4): <see cref="OldId"/> ends, <see cref="NewId"/> begins, sited at the realloc call.</summary>
public readonly record struct BlockReallocated(AllocationId OldId, long OldAddress, long OldSize, HeapFamily OldFamily, AllocationId NewId, long NewAddress, long NewSize, HeapFamily NewFamily, SiteId Site);
