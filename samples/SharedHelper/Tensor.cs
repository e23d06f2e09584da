using System.Runtime.CompilerServices;
using LeakScope.Allocator;

namespace LeakScope.Samples;

/// <summary>
/// A shared helper, as a tensor class or a pool is: every caller's memory is allocated on the same line of this file, so
/// a leak's site names the helper. Only the call stack tells which caller leaks.
/// </summary>
internal sealed unsafe class Tensor
{
    private Tensor(void* data, int bytes)
    {
        Data = data;
        Bytes = bytes;
    }

    public void* Data { get; private set; }

    public int Bytes { get; }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Tensor Create(int bytes) => new(RawHeap.Malloc((nuint)bytes), bytes); // SITE:tensor

    public void Free()
    {
        RawHeap.Free(Data);
        Data = null;
    }
}
