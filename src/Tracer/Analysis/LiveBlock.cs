using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>What the model keeps per live block: 16 bytes, keyed by allocation id.</summary>
internal readonly record struct LiveBlock(long Size, int Site, HeapFamily Family, bool FromRundown);
