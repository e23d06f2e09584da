namespace LeakScope.Allocator.Diagnostics;

/// <summary>One thread's sampling state, kept inline in its heap: written only by the owning thread.</summary>
internal struct StackSampleState
{
    /// <summary>Bytes left before the next sample; drawn from an exponential distribution at each sample.</summary>
    public long BytesLeft;

    /// <summary>The <see cref="StackSampler"/> configuration this state was drawn for; another one redraws it.</summary>
    public int Generation;

    /// <summary>A site whose first allocation was written in <see cref="Generation"/> (-1: none yet): checked before the per-site table.</summary>
    public int KnownSite;

    /// <summary>xorshift64* state (never 0 once seeded).</summary>
    public ulong Random;
}
