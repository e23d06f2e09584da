using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// How many blocks one stack sample stands for. A byte-sampled block of <c>s</c> bytes was chosen with probability
/// <c>p = 1 - exp(-s / interval)</c> (the Poisson process over bytes the allocator runs), so weighting it by <c>1 / p</c>
/// makes every per-stack count and byte sum an unbiased estimate (Horvitz–Thompson). Samples taken for every operation
/// and a site's first allocation were certain: weight 1, exact.
/// </summary>
public static class SampleWeight
{
    /// <summary>The number of blocks a sample taken for <paramref name="reason"/> of a <paramref name="size"/>-byte block stands for, with mean interval <paramref name="sampleBytes"/>.</summary>
    public static double Of(StackReason reason, long size, long sampleBytes)
    {
        if (reason != StackReason.Sampled || sampleBytes <= 0)
        {
            return 1;
        }

        double p = -double.ExpM1(-(double)Math.Max(size, 0) / sampleBytes);
        return p > 0 ? 1 / p : 1;
    }

    /// <summary>True when a sample's figures are estimates.</summary>
    public static bool IsEstimate(StackReason reason) => reason == StackReason.Sampled;
}
