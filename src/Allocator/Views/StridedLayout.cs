namespace LeakScope.Allocator;

/// <summary>
/// Shape and stride arithmetic shared by strided and indirect views (strides are in elements). Every product and sum
/// is checked: a layout whose arithmetic overflows is refused with <see cref="ArgumentOutOfRangeException"/>, never
/// wrapped, so no accepted view can reach outside its block.
/// </summary>
internal static class StridedLayout
{
    /// <summary>Validates a direct layout against a block of <paramref name="length"/> elements; throws when it does not fit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, or the layout's arithmetic overflows.</exception>
    /// <exception cref="ArgumentException">An element the layout reaches lies outside the block.</exception>
    public static void Validate(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, long offset, long length)
    {
        if (shape.Length != strides.Length)
        {
            throw new ArgumentException($"The shape has {shape.Length} dimensions but {strides.Length} strides were given.", nameof(strides));
        }

        long count = ElementCount(shape);
        (long min, long max) = Extent(shape, strides, offset);
        if (count > 0 && (min < 0 || max >= length))
        {
            throw new ArgumentException(
                $"A view of shape ({string.Join(", ", shape.ToArray())}), strides ({string.Join(", ", strides.ToArray())}) and offset {offset} " +
                $"reaches elements {min} … {max}, outside the block's {length}.");
        }
    }

    /// <summary><paramref name="a"/> × <paramref name="b"/>, refused when it overflows.</summary>
    public static long Multiply(long a, long b, string what)
    {
        long product;
        try
        {
            product = checked(a * b);
        }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException(what, $"{a} × {b} overflows a 64-bit element offset.");
        }

        return product;
    }

    /// <summary><paramref name="a"/> + <paramref name="b"/>, refused when it overflows.</summary>
    public static long Add(long a, long b, string what)
    {
        long sum;
        try
        {
            sum = checked(a + b);
        }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException(what, $"{a} + {b} overflows a 64-bit element offset.");
        }

        return sum;
    }

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
                step = Multiply(step, Math.Max(shape[d], 1), nameof(shape));
            }
        }
        else if (order == MemoryOrder.Fortran)
        {
            for (int d = 0; d < shape.Length; d++)
            {
                strides[d] = step;
                step = Multiply(step, Math.Max(shape[d], 1), nameof(shape));
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

            count = Multiply(count, extent, nameof(shape));
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

    /// <summary>
    /// The lowest and highest element offsets the layout reaches (only meaningful when it has elements). Checked even
    /// for an empty layout, so that every offset a derived view computes from it fits in 64 bits.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The arithmetic overflows.</exception>
    public static (long Min, long Max) Extent(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, long offset)
    {
        long min = offset;
        long max = offset;
        for (int d = 0; d < shape.Length; d++)
        {
            long reach = Multiply(Math.Max(shape[d] - 1L, 0), strides[d], nameof(strides));
            if (reach < 0)
            {
                min = Add(min, reach, nameof(strides));
            }
            else
            {
                max = Add(max, reach, nameof(strides));
            }
        }

        return (min, max);
    }
}
