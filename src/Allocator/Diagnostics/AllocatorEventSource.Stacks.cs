using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;
using LeakScope.Wire;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// The stack-sample event (29): written on the allocating thread, so a session that walks stacks gives it the caller's
/// managed stack. Batches are published by another thread and carry no useful stack; this small event is what carries
/// it, and only a session enabling <see cref="Keywords.Stacks"/> (the tracer's second, stack-walking session) sees it.
/// </summary>
internal sealed partial class AllocatorEventSource
{
    /// <summary>
    /// Allocation <paramref name="AllocationId"/> (<paramref name="Size"/> bytes, at <paramref name="SiteId"/>) was sampled for
    /// its stack; <paramref name="Reason"/> and <paramref name="SampleBytes"/> (the sampled mode's mean interval, 0 otherwise)
    /// say how a reader scales it.
    /// </summary>
    [Event(WireSchema.EventIds.StackSample, Level = EventLevel.Verbose, Keywords = Keywords.Stacks, Version = WireSchema.Versions.Initial)]
    private void StackSample(byte Operation, byte Reason, long AllocationId, long Size, int SiteId, long SampleBytes) =>
        WriteStackSample(Operation, Reason, AllocationId, Size, SiteId, SampleBytes);

    // Both inline into the sampler's caller, so a stack walk starts one frame in from LeakScope's code instead of three:
    // the runtime walks every frame of every sampled stack, and the tracer drops the allocator's frames anyway.
    [NonEvent]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StackSample(byte operation, byte reason, long allocationId, nuint size, int siteId, long sampleBytes) =>
        WriteStackSample(operation, reason, allocationId, (long)size, siteId, sampleBytes);

    [NonEvent]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void WriteStackSample(byte operation, byte reason, long allocationId, long size, int siteId, long sampleBytes)
    {
        EventData* data = stackalloc EventData[6];
        Set(ref data[0], &operation);
        Set(ref data[1], &reason);
        Set(ref data[2], &allocationId);
        Set(ref data[3], &size);
        Set(ref data[4], &siteId);
        Set(ref data[5], &sampleBytes);
        WriteEventCore(WireSchema.EventIds.StackSample, 6, data);
    }
}
