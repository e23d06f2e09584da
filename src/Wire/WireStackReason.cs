namespace LeakScope.Wire;

/// <summary>Why a <c>StackSample</c> (29) was written, which says how a reader scales it. Never renumber; 0 = unknown.</summary>
internal static class WireStackReason
{
    public const byte Unknown = 0;

    /// <summary>Stacks of every operation were asked for (<c>Stacks=all</c>): each sample stands for itself, exactly.</summary>
    public const byte Every = 1;

    /// <summary>
    /// Chosen by the byte-sampling Poisson process with mean interval <c>SampleBytes</c>: a block of <c>s</c> bytes is sampled
    /// with probability <c>p = 1 - exp(-s / SampleBytes)</c>, so it stands for <c>1 / p</c> blocks of its size.
    /// </summary>
    public const byte Sampled = 2;

    /// <summary>The first allocation seen at its site while stacks were on: always written, stands for itself.</summary>
    public const byte FirstAtSite = 3;
}
