namespace LeakScope.Tracer.Events;

/// <summary>The allocator family of a block; the values are the wire format of <c>AllocationFamily</c>.</summary>
public enum HeapFamily : byte
{
    Unknown = 0,
    Raw = 1,
    Pool = 2,
}
