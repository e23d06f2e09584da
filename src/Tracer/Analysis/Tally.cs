namespace LeakScope.Tracer.Analysis;

/// <summary>A count and a byte total, the unit every grouped finding accumulates.</summary>
internal struct Tally
{
    public long Count;
    public long Bytes;

    public void Add(long bytes)
    {
        Count++;
        Bytes += bytes;
    }
}
