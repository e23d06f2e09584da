namespace LeakScope.Tracer.Stacks;

/// <summary>
/// A method body's IL-to-native map (the runtime's <c>MethodILToNativeMap</c> event): pairs of IL offset and native offset.
/// IL offsets <c>-1</c> (no mapping), <c>-2</c> (prolog) and <c>-3</c> (epilog) name no IL instruction.
/// </summary>
internal sealed class IlMap
{
    private readonly int[] _il;
    private readonly uint[] _native;

    public IlMap(int[] ilOffsets, uint[] nativeOffsets)
    {
        int n = Math.Min(ilOffsets.Length, nativeOffsets.Length);
        var order = Enumerable.Range(0, n).OrderBy(i => nativeOffsets[i]).ThenBy(i => i).ToArray();
        _il = order.Select(i => ilOffsets[i]).ToArray();
        _native = order.Select(i => nativeOffsets[i]).ToArray();
    }

    /// <summary>The smallest IL offset the map marks after <paramref name="ilOffset"/>: where the IL range of that offset ends.</summary>
    public int NextBoundary(int ilOffset)
    {
        int next = int.MaxValue;
        foreach (int il in _il)
        {
            if (il > ilOffset && il < next)
            {
                next = il;
            }
        }

        return next;
    }

    /// <summary>The IL offset of the instruction whose code holds <paramref name="nativeOffset"/>, or -1.</summary>
    public int IlOffset(uint nativeOffset)
    {
        int best = -1;
        for (int i = 0; i < _native.Length && _native[i] <= nativeOffset; i++)
        {
            // Prolog, epilog and unmapped code keep the last instruction before them.
            if (_il[i] >= 0)
            {
                best = _il[i];
            }
        }

        return best;
    }
}
