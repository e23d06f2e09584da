namespace LeakScope.Allocator.Heaps;

/// <summary>
/// The small-block size classes shared by both families: 16-byte steps up to 512 bytes, as in
/// CPython's obmalloc (which uses 16-byte alignment on 64-bit targets).
/// </summary>
internal static class SizeClasses
{
    public const int Granularity = 16;
    public const int MaxSmallSize = 512;
    public const int Count = MaxSmallSize / Granularity;

    /// <summary>Bytes of <see cref="BlockHeader"/> in front of every small block (keeps 16-byte alignment).</summary>
    public const int HeaderSize = 16;

    /// <summary>The class for a request of <paramref name="size"/> bytes (0 is served by the smallest class).</summary>
    public static int IndexOf(nuint size) => size == 0 ? 0 : (int)((size - 1) >> 4);

    /// <summary>Usable bytes of a block in class <paramref name="index"/>.</summary>
    public static int BlockSize(int index) => (index + 1) * Granularity;

    /// <summary>Distance between neighbouring blocks of class <paramref name="index"/> in a pool.</summary>
    public static int Stride(int index) => BlockSize(index) + HeaderSize;
}
