using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>The allocator family of a block; the values are the wire format of <c>AllocationFamily</c>.</summary>
public enum HeapFamily : byte
{
    /// <summary>Not known: a pointer no LeakScope heap handed out, or a value this tracer does not know.</summary>
    Unknown = WireFamily.Unknown,
    /// <summary>The C family (<c>RawHeap</c>).</summary>
    Raw = WireFamily.Raw,
    /// <summary>The pooled family (<c>PoolHeap</c>, CPython's <c>PyMem</c>).</summary>
    Pool = WireFamily.Pool,
}
