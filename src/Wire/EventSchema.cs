using System.Diagnostics.Tracing;

namespace LeakScope.Wire;

/// <summary>
/// One event of <c>LeakScope-Allocator</c> as it crosses the wire: id, name, the newest version, level, keywords and the
/// payload fields of that version, in order. <see cref="WireSchema.Events"/> lists them all.
/// </summary>
internal sealed record EventSchema(int Id, string Name, int Version, EventLevel Level, long Keywords, params FieldSchema[] Fields)
{
    /// <summary>The payload length when every field has a fixed width; -1 when one carries its own length.</summary>
    public int FixedLength => Fields.Any(f => f.Width == 0) ? -1 : Fields.Sum(f => f.Width);
}
