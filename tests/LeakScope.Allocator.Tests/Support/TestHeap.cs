namespace LeakScope.Allocator.Tests.Support;

/// <summary>Calls the heap of a family, so that one test can cover <see cref="RawHeap"/> and <see cref="PoolHeap"/>.</summary>
internal static unsafe class TestHeap
{
    public static TheoryData<AllocationFamily> Families => new() { AllocationFamily.Raw, AllocationFamily.Pool };

    public static void* Malloc(AllocationFamily family, nuint size) => family switch
    {
        AllocationFamily.Raw => RawHeap.Malloc(size),
        AllocationFamily.Pool => PoolHeap.Malloc(size),
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    public static void* Calloc(AllocationFamily family, nuint count, nuint size) => family switch
    {
        AllocationFamily.Raw => RawHeap.Calloc(count, size),
        AllocationFamily.Pool => PoolHeap.Calloc(count, size),
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    public static void* Realloc(AllocationFamily family, void* pointer, nuint size) => family switch
    {
        AllocationFamily.Raw => RawHeap.Realloc(pointer, size),
        AllocationFamily.Pool => PoolHeap.Realloc(pointer, size),
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    public static void Free(AllocationFamily family, void* pointer)
    {
        switch (family)
        {
            case AllocationFamily.Raw:
                RawHeap.Free(pointer);
                break;
            case AllocationFamily.Pool:
                PoolHeap.Free(pointer);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(family));
        }
    }

    /// <summary>Fills a block with a pattern derived from <paramref name="seed"/>.</summary>
    public static void Fill(void* pointer, nuint size, int seed)
    {
        var bytes = (byte*)pointer;
        for (nuint i = 0; i < size; i++)
        {
            bytes[i] = Pattern(i, seed);
        }
    }

    /// <summary>The first offset where a block departs from <see cref="Fill"/>'s pattern, or -1 when it holds it.</summary>
    public static long FirstMismatch(void* pointer, nuint size, int seed)
    {
        var bytes = (byte*)pointer;
        for (nuint i = 0; i < size; i++)
        {
            if (bytes[i] != Pattern(i, seed))
            {
                return (long)i;
            }
        }

        return -1;
    }

    private static byte Pattern(nuint offset, int seed) => (byte)((uint)offset * 31u + (uint)seed * 17u + 7u);
}
