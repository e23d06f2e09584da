// Cython's cpython.array operations on NativeArray<T>: resize, resize_smart, clone, copy, extend, extend_buffer, zero.
using LeakScope.Allocator;
using LeakScope.Samples;

using (var a = new NativeArray<int>(4))
{
    for (int i = 0; i < a.Length; i++)
    {
        a[i] = i + 1;
    }

    Show.Array("array('i', [1, 2, 3, 4])", a);

    // resize: exact, one reallocation; new elements of a zeroed array start at 0.
    a.Resize(6);
    Show.Array("resize(6)", a);

    // resize_smart: amortised growth for small increments (capacity n + n/2 + 1).
    int reallocations = 0;
    int capacity = a.Capacity;
    for (int n = 7; n <= 100; n++)
    {
        a.ResizeSmart(n);
        a[n - 1] = n;
        if (a.Capacity != capacity)
        {
            reallocations++;
            capacity = a.Capacity;
        }
    }

    Console.WriteLine($"resize_smart 7 … 100: {reallocations} reallocations, capacity {a.Capacity}, last {a[^1]}");

    // clone: same family, new length, zeroed on request.
    using (NativeArray<int> blank = NativeArray<int>.Clone(a, 3, zero: true))
    {
        Show.Array("clone(a, 3, zero=True)", blank);
    }

    // copy: same contents in new storage.
    using NativeArray<int> copy = a.Copy();
    copy[0] = -1;
    Console.WriteLine($"copy(): copy[0] = {copy[0]}, a[0] still {a[0]}");

    // extend: append another array (even itself).
    using var tail = new NativeArray<int>(2);
    tail[0] = 7;
    tail[1] = 8;
    a.Resize(4);
    a.Extend(tail);
    Show.Array("extend(tail)", a);
    a.Extend(a);
    Show.Array("extend(a)", a);

    // extend_buffer: append raw elements (here from a managed span; it may also be the array's own span).
    a.ExtendBuffer([100, 200]);
    Show.Array("extend_buffer([100, 200])", a);

    // zero: memset to zero.
    a.Zero();
    Console.WriteLine($"zero(): sum {Show.Sum(a)}");
}

// The C family works the same way, uninitialised on request.
using (var raw = new NativeArray<double>(1_000, AllocationFamily.Raw, zeroed: false))
{
    raw.AsSpan().Fill(0.25);
    Console.WriteLine($"Raw NativeArray<double>[{raw.Length}]: sum {raw.AsSpan().ToArray().Sum()}");
}

HeapSnapshot stats = HeapStats.Capture();
Console.WriteLine($"HeapStats: {stats}");
return stats.LiveBlocks == 0 && stats.MisuseCount == 0 ? 0 : 1;
