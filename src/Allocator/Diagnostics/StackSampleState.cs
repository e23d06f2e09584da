using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>One thread's sampling state, kept inline in its heap: written only by the owning thread.</summary>
[StructLayout(LayoutKind.Explicit)]
internal struct StackSampleState
{
    /// <summary>Bytes left before the next sample; drawn from an exponential distribution at each sample.</summary>
    [FieldOffset(0)]
    public long BytesLeft;

    /// <summary>The <see cref="StackSampler"/> configuration this state was drawn for; another one redraws it.</summary>
    [FieldOffset(8)]
    public int Generation;

    /// <summary>A site whose first allocation was written in <see cref="Generation"/> (-1: none yet): checked before the per-site table.</summary>
    [FieldOffset(12)]
    public int KnownSite;

    /// <summary>
    /// <see cref="Generation"/> and <see cref="KnownSite"/> read as one value: the sampler's common case compares both with
    /// one load and one branch (<see cref="Pack"/>).
    /// </summary>
    [FieldOffset(8)]
    public long GenerationAndKnownSite;

    /// <summary>xorshift64* state (never 0 once seeded).</summary>
    [FieldOffset(16)]
    public ulong Random;

    /// <summary>What <see cref="GenerationAndKnownSite"/> reads when <see cref="Generation"/> and <see cref="KnownSite"/> hold these.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Pack(int generation, int knownSite) => BitConverter.IsLittleEndian
        ? ((long)knownSite << 32) | (uint)generation
        : ((long)generation << 32) | (uint)knownSite;
}
