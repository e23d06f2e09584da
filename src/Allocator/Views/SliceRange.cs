namespace LeakScope.Allocator;

/// <summary>
/// One dimension's slice, with Python's <c>start:stop:step</c> semantics: a null bound means "from the beginning" /
/// "to the end" in the direction of <see cref="Step"/>, negative bounds count from the end, bounds are clamped, and a
/// negative step walks backwards (<c>new SliceRange(Step: -1)</c> reverses a dimension). A step of 0 means 1, so that
/// <c>default(SliceRange)</c> — like <see cref="All"/> — selects the whole dimension.
/// </summary>
public readonly record struct SliceRange(int? Start = null, int? Stop = null, int Step = 1)
{
    /// <summary>The whole dimension (<c>:</c>).</summary>
    public static SliceRange All => default;

    /// <summary>
    /// Resolves the slice against a dimension of <paramref name="length"/> elements (Python's <c>slice.indices</c>):
    /// the first index and the number of elements selected.
    /// </summary>
    public (int First, int Count) Resolve(int length)
    {
        int step = Step == 0 ? 1 : Step;
        long lower = step > 0 ? 0 : -1;
        long upper = step > 0 ? length : length - 1L;
        long start = Clamp(Start, step > 0 ? lower : upper);
        long stop = Clamp(Stop, step > 0 ? upper : lower);
        long count = step > 0
            ? (stop > start ? (stop - start + step - 1) / step : 0)
            : (start > stop ? (start - stop - step - 1) / -(long)step : 0);
        return ((int)Math.Max(start, 0), (int)count);

        long Clamp(int? bound, long missing)
        {
            if (bound is not int value)
            {
                return missing;
            }

            long index = value < 0 ? value + (long)length : value;
            return Math.Clamp(index, lower, upper);
        }
    }

    /// <summary>The Python spelling, for example <c>1:5:2</c> or <c>::-1</c>.</summary>
    public override string ToString() => $"{Start}:{Stop}:{(Step == 0 ? 1 : Step)}";
}
