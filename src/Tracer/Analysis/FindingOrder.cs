namespace LeakScope.Tracer.Analysis;

/// <summary>Kind (in <see cref="FindingKind"/> order), then largest first: bytes, count, then site for a stable order.</summary>
internal sealed class FindingOrder : IComparer<Finding>
{
    public static readonly FindingOrder Instance = new();

    public int Compare(Finding? x, Finding? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        int c = x.Kind.CompareTo(y.Kind);
        if (c == 0)
        {
            c = y.Bytes.CompareTo(x.Bytes);
        }

        if (c == 0)
        {
            c = y.Count.CompareTo(x.Count);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(x.Site.File, y.Site.File);
        }

        if (c == 0)
        {
            c = x.Site.Line.CompareTo(y.Site.Line);
        }

        if (c == 0)
        {
            c = x.Family.CompareTo(y.Family);
        }

        if (c == 0)
        {
            c = Nullable.Compare(x.Reachability, y.Reachability);
        }

        return c;
    }
}
