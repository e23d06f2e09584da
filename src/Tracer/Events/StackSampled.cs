namespace LeakScope.Tracer.Events;

/// <summary>
/// An allocation's stack (event 29 with the stack EventPipe walked for it): block <see cref="Id"/> of <see cref="Size"/> bytes
/// at <see cref="Site"/> was allocated from stack <see cref="StackId"/> (defined by a <see cref="StackDefined"/>).
/// <see cref="SampleBytes"/> is the sampled mode's mean interval (0 when every operation carries its stack).
/// </summary>
public readonly record struct StackSampled(StackOperation Operation, StackReason Reason, AllocationId Id, long Size, SiteId Site, long SampleBytes, int StackId);
