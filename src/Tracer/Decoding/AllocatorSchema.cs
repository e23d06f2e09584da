using LeakScope.Wire;
using Microsoft.Diagnostics.Tracing.Session;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// What this tracer asks of the <c>LeakScope-Allocator</c> provider: its name and GUID and the keywords of each mode. Event
/// ids, keywords and versions are <see cref="WireSchema"/>'s (src/Wire), the definition the allocator compiles from too,
/// used directly. The schema only grows (new fields last, bumped version), so
/// every version up to the one known here decodes; a newer one is refused by name.
/// </summary>
public static class AllocatorSchema
{
    public const string ProviderName = WireSchema.ProviderName;

    /// <summary>The EventSource GUID derived from the name, as EventSource itself derives it.</summary>
    public static readonly Guid ProviderGuid = TraceEventProviders.GetEventSourceGuidFromName(ProviderName);

    /// <summary>Every keyword of the per-operation mode: allocations, views, misuse, sites, diagnostics, owners (not Batched).</summary>
    public const long PerOperationKeywords = WireSchema.Keywords.Allocations | WireSchema.Keywords.Views | WireSchema.Keywords.Misuse | WireSchema.Keywords.Sites
        | WireSchema.Keywords.Diagnostics | WireSchema.Keywords.Owners;

    /// <summary>
    /// The high-rate mode, LeakScope's default: block operations as batches of compact records (<see cref="WireSchema.Keywords.Batched"/>)
    /// and everything else as events. <see cref="WireSchema.Keywords.Allocations"/> stays off: a session that enables it gets per-operation events instead.
    /// </summary>
    public const long BatchedKeywords = WireSchema.Keywords.Batched | WireSchema.Keywords.Views | WireSchema.Keywords.Misuse | WireSchema.Keywords.Sites
        | WireSchema.Keywords.Diagnostics | WireSchema.Keywords.Owners;

    /// <summary>The provider argument (EventPipe filter data) that names the exit file (docs/exit-file.md).</summary>
    public const string ExitFileArgument = WireSchema.ExitFileArgument;

    /// <summary>The name of an event id, for messages.</summary>
    public static string NameOf(int eventId) => WireSchema.NameOf(eventId);
}
