using LeakScope.Wire;

namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>
/// The compact records of the high-rate mode, as the allocator's writers name them. The layout is defined once, in
/// <see cref="BatchFormat"/> (src/Wire), which the tracer's decoder compiles too; see docs/batch-format.md.
/// </summary>
internal static class BatchRecord
{
    /// <inheritdoc cref="BatchFormat.FormatVersion"/>
    public const int FormatVersion = BatchFormat.FormatVersion;

    /// <inheritdoc cref="BatchFormat.Allocated"/>
    public const byte Allocated = BatchFormat.Allocated;

    /// <inheritdoc cref="BatchFormat.Freed"/>
    public const byte Freed = BatchFormat.Freed;

    /// <inheritdoc cref="BatchFormat.Reallocated"/>
    public const byte Reallocated = BatchFormat.Reallocated;

    /// <inheritdoc cref="BatchFormat.Folded"/>
    public const byte Folded = BatchFormat.Folded;

    /// <inheritdoc cref="BatchFormat.Header"/>
    public const byte Header = BatchFormat.Header;

    /// <inheritdoc cref="BatchFormat.MaxLength"/>
    public const int MaxLength = BatchFormat.MaxLength;

    /// <inheritdoc cref="BatchFormat.MaxHeaderLength"/>
    public const int MaxHeaderLength = BatchFormat.MaxHeaderLength;
}
