using LeakScope.Allocator;

namespace LeakScope.Samples;

/// <summary>
/// Cython's <c>SomeMemory</c>: a block whose lifetime is tied to an object.
/// <c>__cinit__</c> allocates (the constructor), <c>resize</c> reallocates, <c>__dealloc__</c> frees (<see cref="Dispose"/>).
/// Every call uses the PyMem family, and the block is freed by the same family that allocated it.
/// </summary>
internal sealed unsafe class SomeMemory : IDisposable
{
    private double* _data;

    public SomeMemory(nuint number)
    {
        // Allocate some memory (uninitialised, may contain arbitrary data).
        _data = (double*)PoolHeap.Malloc(number * sizeof(double));
        if (_data == null)
        {
            throw new OutOfMemoryException();
        }

        Count = number;
    }

    public nuint Count { get; private set; }

    public Span<double> Data => new(_data, checked((int)Count));

    /// <summary>Allocates <paramref name="newNumber"/> values, keeping the current content. On failure the old block stays valid.</summary>
    public void Resize(nuint newNumber)
    {
        var mem = (double*)PoolHeap.Realloc(_data, newNumber * sizeof(double));
        if (mem == null)
        {
            throw new OutOfMemoryException();
        }

        // Only overwrite the pointer once we know the reallocation succeeded.
        _data = mem;
        Count = newNumber;
    }

    /// <summary><c>__dealloc__</c>: frees the block (PoolHeap.Free of null is a no-op, so a second call is harmless).</summary>
    public void Dispose()
    {
        PoolHeap.Free(_data);
        _data = null;
        Count = 0;
    }
}
