using LeakScope.Wire;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// The high-rate mode's <c>AllocationBatch</c> event (docs/batch-format.md). One such event carries many records, and a
/// batch an exit file repeats is skipped without being counted either way, so the fuzz loops' "one event decoded, one
/// record delivered" identities leave streams holding one out (random ids reach it).
/// </summary>
internal static class BatchEvents
{
    public const int AllocationBatch = WireSchema.EventIds.AllocationBatch;
}
