namespace LeakScope.Tracer.Analysis;

/// <summary>A call site as findings name it. <see cref="IsDefined"/> is false when its definition was never seen (lost, or recorded before the session).</summary>
public sealed record SiteInfo(int Id, string File, int Line, string Member)
{
    /// <summary>No site (id 0).</summary>
    public static readonly SiteInfo None = new(0, string.Empty, 0, string.Empty);

    /// <summary>Whether the site's file, line or member is known.</summary>
    public bool IsDefined => File.Length > 0 || Member.Length > 0 || Line != 0;

    /// <summary>A site whose id arrived but whose definition (<c>SiteDefined</c>) never did.</summary>
    public static SiteInfo Undefined(int id) => new(id, string.Empty, 0, string.Empty);

    /// <summary><c>Program.cs:42 (Handle)</c>, or <c>site #7 (undefined)</c>.</summary>
    public override string ToString() => IsDefined
        ? $"{System.IO.Path.GetFileName(File)}:{Line} ({Member})"
        : Id == 0 ? "(no site)" : $"site #{Id} (undefined)";
}
