using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests;

/// <summary>
/// An owner whose constructor threw never had storage: its finalizer must not publish <c>OwnerFinalized</c> (it would
/// carry owner id 0 and become a false <c>owner-finalized</c> finding). One test per owner type.
/// </summary>
[Collection(OwnedMemoryCollection.Name)]
public class OwnerConstructorFailureTests
{
    [Fact]
    public void A_NativeBuffer_whose_constructor_threw_publishes_nothing_when_finalized()
    {
        using var events = new OwnerEventRecorder();
        long witness = AbandonAfterFailedConstructors(
            () => new NativeBuffer<int>(-1),
            () => new NativeBuffer<int>(4, AllocationFamily.Unknown),
            () => new NativeBuffer<int>(8, AllocationFamily.Raw).OwnerId);

        AssertOnlyTheWitnessWasFinalized(events, witness, OwnerKind.NativeBuffer);
    }

    [Fact]
    public void A_NativeArray_whose_constructor_threw_publishes_nothing_when_finalized()
    {
        using var events = new OwnerEventRecorder();
        long witness = AbandonAfterFailedConstructors(
            () => new NativeArray<int>(-1),
            () => new NativeArray<int>(4, AllocationFamily.Unknown),
            () => new NativeArray<int>(8, AllocationFamily.Raw).OwnerId);

        AssertOnlyTheWitnessWasFinalized(events, witness, OwnerKind.NativeArray);
    }

    /// <summary>
    /// Waits (bounded) for the witness — an owner abandoned together with the failed ones — to be finalized; the
    /// finalizer queue that ran it has run theirs too. Then no other OwnerFinalized may have been published.
    /// </summary>
    private static void AssertOnlyTheWitnessWasFinalized(OwnerEventRecorder events, long witness, OwnerKind kind)
    {
        Finalization.CollectUntil(
            () => events.Where("OwnerId", witness, WireSchema.EventIds.OwnerFinalized).Count == 1,
            "the witness owner's OwnerFinalized event");
        GC.Collect();
        GC.WaitForPendingFinalizers();

        IReadOnlyList<RecordedEvent> finalized = events.Events
            .Where(e => e.Id == WireSchema.EventIds.OwnerFinalized)
            .ToList();

        // The storage-less owner would publish owner id 0 with kind Unknown: look at every kind.
        Assert.Contains(finalized, e => e.Long("OwnerId") == witness && e.Long("OwnerKind") == (long)kind);
        Assert.DoesNotContain(0L, finalized.Select(e => e.Long("OwnerId")));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long AbandonAfterFailedConstructors(Func<object> negativeLength, Func<object> noFamily, Func<long> witness)
    {
        Assert.Throws<ArgumentOutOfRangeException>(negativeLength);
        Assert.Throws<ArgumentOutOfRangeException>(noFamily);
        return witness();
    }
}
