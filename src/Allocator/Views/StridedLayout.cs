namespace LeakScope.Allocator;

/// <summary>Shape and stride arithmetic shared by strided views (strides are in elements).</summary>
internal static class StridedLayout
{
    /// <summary>The strides of a contiguous layout of <paramref name="shape"/> in <paramref name="order"/>.</summary>
    public static long[] ContiguousStrides(ReadOnlySpan<int> shape, MemoryOrder order)
    {
        var strides = new long[shape.Length];
        long step = 1;
        if (order == MemoryOrder.C)
        {
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                strides[d] = step;
                step *= Math.Max(shape[d], 1);
            }
        }
        else if (order == MemoryOrder.Fortran)
        {
            for (int d = 0; d < shape.Length; d++)
            {
                strides[d] = step;
                step *= Math.Max(shape[d], 1);
            }
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "Not a memory order.");
        }

        return strides;
    }

    /// <summary>The number of elements; throws for a negative extent.</summary>
    public static long ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int extent in shape)
        {
            if (extent < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(shape), extent, "A dimension cannot have a negative length.");
            }

            count = checked(count * extent);
        }

        return count;
    }

    /// <summary>
    /// Whether the layout is contiguous in <paramref name="order"/> (numpy's flags): dimensions of length 1 may have any
    /// stride, and a layout with no elements is contiguous.
    /// </summary>
    public static bool IsContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, MemoryOrder order)
    {
        long expected = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            int d = order == MemoryOrder.C ? shape.Length - 1 - i : i;
            if (shape[d] == 0)
            {
                return true;
            }

            if (shape[d] != 1 && strides[d] != expected)
            {
                return false;
            }

            expected *= shape[d];
        }

        return true;
    }

    /// <summary>The lowest and highest element offsets the layout reaches (only meaningful when it has elements).</summary>
    public static (long Min, long Max) Extent(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, long offset)
    {
        long min = offset;
        long max = offset;
        for (int d = 0; d < shape.Length; d++)
        {
            long reach = (shape[d] - 1L) * strides[d];
            if (reach < 0)
            {
                min += reach;
            }
            else
            {
                max += reach;
            }
        }

        return (min, max);
    }
}
