using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeakScope.Allocator.Tests;

/// <summary>
/// Deterministic fuzzing of the view layout arithmetic: random shapes, strides, offsets and slices, including huge and
/// negative values. Every accepted view's every element lies inside its buffer (checked through the view's own
/// indexer against the buffer's address range); every layout that does not fit is refused with an
/// <see cref="ArgumentException"/>, judged against an exact model in arbitrary-precision integers. A failure names the
/// case's seed, so it replays alone.
/// </summary>
[Collection(OwnedMemoryCollection.Name)]
public unsafe class LayoutFuzzTests
{
    private const int MasterSeed = 0x5EED_3118;
    private const int Cases = 3000;

    /// <summary>Views with at most this many elements are checked element by element; larger ones at every corner.</summary>
    private const long ExhaustiveLimit = 512;

    private static readonly long[] HugeStrides = [1L << 62, -(1L << 62), long.MaxValue, long.MinValue, long.MaxValue / 2 + 1, 1L << 31, -(1L << 31), int.MaxValue, int.MinValue];
    private static readonly int[] HugeExtents = [int.MaxValue, int.MaxValue / 2, 1 << 20, 65_536];

    [Fact]
    public void Every_accepted_view_stays_inside_its_buffer_and_every_layout_that_does_not_fit_is_refused()
    {
        var master = new Random(MasterSeed);
        int accepted = 0, refused = 0, sliced = 0;
        for (int c = 0; c < Cases; c++)
        {
            int seed = master.Next();
            try
            {
                (bool a, int s) = RunCase(seed);
                accepted += a ? 1 : 0;
                refused += a ? 0 : 1;
                sliced += s;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"Case seed {seed}: unexpected {e.GetType().Name}: {e.Message}");
            }
            catch (Xunit.Sdk.XunitException e)
            {
                Assert.Fail($"Case seed {seed}: {e.Message}");
            }
        }

        // The generator must exercise both outcomes substantially, or the test proves nothing.
        Assert.True(accepted > Cases / 10 && refused > Cases / 10 && sliced > Cases / 10, $"{accepted} accepted, {refused} refused, {sliced} sliced");
    }

    private static (bool Accepted, int Sliced) RunCase(int seed)
    {
        var rng = new Random(seed);
        int length = rng.Next(1, 40);
        using var buffer = new NativeBuffer<int>(length);
        int rank = rng.Next(0, 5);
        var shape = new int[rank];
        var strides = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            shape[d] = rng.Next(8) switch
            {
                0 => HugeExtents[rng.Next(HugeExtents.Length)],
                1 => -rng.Next(1, 3),
                2 => 0,
                _ => rng.Next(1, 6),
            };
            strides[d] = rng.Next(6) switch
            {
                0 => HugeStrides[rng.Next(HugeStrides.Length)],
                1 => 0,
                _ => rng.Next(-8, 9),
            };
        }

        long offset = rng.Next(6) switch
        {
            0 => HugeStrides[rng.Next(HugeStrides.Length)],
            _ => rng.Next(-4, length + 4),
        };

        bool fits = Fits(shape, strides, offset, length);
        StridedView<int> view;
        try
        {
            view = buffer.AcquireStridedView(shape, strides, offset);
        }
        catch (ArgumentException)
        {
            Assert.False(fits, $"refused a layout that fits: shape ({string.Join(", ", shape)}), strides ({string.Join(", ", strides)}), offset {offset}, length {length}");
            Assert.Equal(0, buffer.ViewCount);
            return (false, 0);
        }

        using (view)
        {
            Assert.True(fits, $"accepted a layout that does not fit: {view}, length {length}");
            AssertInside(view, buffer);

            int sliced = 0;
            for (int k = 0; k < 3 && view.Rank > 0; k++)
            {
                int dimension = rng.Next(view.Rank);
                int? start = RandomBound(rng);
                int? stop = RandomBound(rng);
                int step = rng.Next(5) == 0 ? (rng.Next(2) == 0 ? int.MaxValue : int.MinValue) : rng.Next(-4, 5);
                try
                {
                    using StridedView<int> slice = view.Slice(dimension, start, stop, step);
                    AssertInside(slice, buffer);
                    sliced++;
                    if (slice.Rank > 0 && slice.Shape[0] > 0)
                    {
                        using StridedView<int> selected = slice.Select(0, slice.Shape[0] - 1);
                        AssertInside(selected, buffer);
                    }
                }
                catch (ArgumentOutOfRangeException)
                {
                    // A slice whose new stride overflows is refused; nothing else may be.
                    BigInteger stride = (BigInteger)view.Strides[dimension] * (step == 0 ? 1 : step);
                    Assert.True(stride > long.MaxValue || stride < long.MinValue, $"a slice {start}:{stop}:{step} of dimension {dimension} of {view} was refused");
                }
            }

            return (true, sliced);
        }
    }

    private static int? RandomBound(Random rng) => rng.Next(6) switch
    {
        0 => null,
        1 => int.MaxValue,
        2 => int.MinValue,
        _ => rng.Next(-10, 10),
    };

    /// <summary>
    /// The exact model: every dimension non-negative, the running element count, each dimension's reach and the running
    /// extremes fit in 64 bits, and — when there are elements — every reachable element is inside the buffer.
    /// </summary>
    private static bool Fits(int[] shape, long[] strides, long offset, int length)
    {
        BigInteger count = 1;
        foreach (int extent in shape)
        {
            if (extent < 0)
            {
                return false;
            }

            count *= extent;
            if (count > long.MaxValue)
            {
                return false;
            }
        }

        BigInteger min = offset, max = offset;
        for (int d = 0; d < shape.Length; d++)
        {
            BigInteger reach = (BigInteger)Math.Max(shape[d] - 1L, 0) * strides[d];
            if (reach > long.MaxValue || reach < long.MinValue)
            {
                return false;
            }

            if (reach < 0)
            {
                min += reach;
            }
            else
            {
                max += reach;
            }

            if (min < long.MinValue || max > long.MaxValue)
            {
                return false;
            }
        }

        return count == 0 || (min >= 0 && max < length);
    }

    /// <summary>Every element (or, for a large view, every corner: addresses are affine in the indices) lies inside the buffer.</summary>
    private static void AssertInside(StridedView<int> view, NativeBuffer<int> buffer)
    {
        if (view.FlattenedLength == 0)
        {
            return;
        }

        byte* first = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer.GetSpan()));
        long bytes = (long)buffer.Length * sizeof(int);
        int rank = view.Rank;
        var index = new int[rank];
        if (view.FlattenedLength <= ExhaustiveLimit)
        {
            while (true)
            {
                Check(index);
                int d = rank - 1;
                while (d >= 0 && ++index[d] == view.Shape[d])
                {
                    index[d] = 0;
                    d--;
                }

                if (d < 0)
                {
                    return;
                }
            }
        }

        for (int corner = 0; corner < 1 << rank; corner++)
        {
            for (int d = 0; d < rank; d++)
            {
                index[d] = (corner >> d & 1) == 0 ? 0 : view.Shape[d] - 1;
            }

            Check(index);
        }

        void Check(int[] at)
        {
            long offset = (byte*)Unsafe.AsPointer(ref Unsafe.AsRef(in view.ItemRef(at))) - first;
            Assert.True(offset >= 0 && offset < bytes && offset % sizeof(int) == 0, $"element ({string.Join(", ", at)}) of {view} is at byte {offset} of a {bytes}-byte buffer");
        }
    }
}
