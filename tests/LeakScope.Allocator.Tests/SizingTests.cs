namespace LeakScope.Allocator.Tests;

/// <summary>
/// Sizes at the edge of <see cref="int"/>: every sizing path either fits or refuses, and never leaves
/// <c>Length &gt; Capacity</c>. The arrays here are unzeroed (or calloc'd) so that their 2 GiB stays untouched virtual memory.
/// </summary>
[Collection(OwnedMemoryCollection.Name)]
public class SizingTests
{
    [Fact]
    public void ResizeSmart_to_int_MaxValue_never_leaves_the_length_beyond_the_capacity()
    {
        using var array = new NativeArray<byte>(16, zeroed: false);
        try
        {
            array.ResizeSmart(int.MaxValue);
        }
        catch (OutOfMemoryException)
        {
            // Refused by the system: the array must be as it was.
            Assert.Equal(16, array.Length);
        }

        Assert.True(array.Length <= array.Capacity, $"Length {array.Length} > Capacity {array.Capacity}");
        array.AsSpan()[^1] = 1;
        array.Resize(4);
        Assert.Equal(4, array.Capacity);
    }

    [Fact]
    public void Appending_past_int_MaxValue_elements_is_refused_and_changes_nothing()
    {
        using var array = new NativeArray<byte>(int.MaxValue - 1, zeroed: false);
        using var three = new NativeArray<byte>(3);
        Assert.Throws<ArgumentOutOfRangeException>(() => array.ExtendBuffer([1, 2, 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Extend(three));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Extend(array));
        Assert.Equal(int.MaxValue - 1, array.Length);
        array.ExtendBuffer([9]);
        Assert.Equal(int.MaxValue, array.Length);
        Assert.Equal(9, array[int.MaxValue - 1]);

        using var buffer = new NativeBuffer<byte>(int.MaxValue - 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Append([1, 2, 3]));
        Assert.Equal(int.MaxValue - 1, buffer.Length);
    }

    [Fact]
    public void Negative_lengths_are_refused_everywhere()
    {
        using var array = new NativeArray<int>(2);
        using var buffer = new NativeBuffer<int>(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Resize(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.ResizeSmart(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NativeArray<int>.Clone(array, -1, zero: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Resize(-1));
        Assert.Equal((2, 2), (array.Length, buffer.Length));
    }
}
