using System.Diagnostics.Tracing;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests.Diagnostics;

/// <summary>The byte sampler behind <c>--stacks sampled</c>: its intervals, and that its samples scale to the truth without bias.</summary>
public class StackSamplerTests
{
    [Fact]
    public void Intervals_are_exponential_with_the_asked_mean()
    {
        ulong random = 0x0123456789ABCDEFUL;
        const long mean = 4096;
        const int n = 200_000;
        double sum = 0;
        double sumSquares = 0;
        for (int i = 0; i < n; i++)
        {
            long interval = StackSampler.DrawInterval(ref random, mean);
            Assert.True(interval >= 1);
            sum += interval;
            sumSquares += (double)interval * interval;
        }

        double average = sum / n;
        double deviation = Math.Sqrt((sumSquares / n) - (average * average));

        // An exponential's standard deviation equals its mean; the average is within 1% (≈ 4.5 standard errors).
        Assert.InRange(average, mean * 0.99, mean * 1.01);
        Assert.InRange(deviation, mean * 0.97, mean * 1.03);
    }

    [Fact]
    public void Weighted_samples_estimate_the_true_bytes_without_bias_for_every_size()
    {
        // The allocator's process: a countdown drawn from the exponential, crossed by the allocation that samples.
        // Each sample weighs 1 / (1 - exp(-size / mean)), as the tracer's SampleWeight does.
        ulong random = 0xFEEDFACECAFEBEEFUL;
        const long mean = 4096;
        long[] sizes = [16, 256, 4096, 100_000, 1 << 20];
        var truth = new double[sizes.Length];
        var estimate = new double[sizes.Length];
        long left = StackSampler.DrawInterval(ref random, mean);
        var rng = new Random(12345);
        for (int i = 0; i < 2_000_000; i++)
        {
            int k = rng.Next(sizes.Length);
            long size = sizes[k];
            truth[k] += size;
            left -= size;
            if (left <= 0)
            {
                left = StackSampler.DrawInterval(ref random, mean);
                estimate[k] += size / -double.ExpM1(-(double)size / mean);
            }
        }

        for (int k = 0; k < sizes.Length; k++)
        {
            Assert.InRange(estimate[k] / truth[k], 0.9, 1.1);
        }
    }

    [Fact]
    public void A_session_asks_for_its_mode_and_interval_in_the_provider_arguments()
    {
        using var listener = new StackListener(new Dictionary<string, string?> { [WireSchema.StacksArgument] = "all", [WireSchema.StackSampleBytesArgument] = "1234" });
        Assert.Equal(StackMode.All, StackSampler.Mode);
        Assert.Equal(1234, StackSampler.SampleBytes);
        Assert.True(StackSampler.IsStackSession(new Dictionary<string, string?> { [WireSchema.StackSessionArgument] = "1" }));
        Assert.False(StackSampler.IsStackSession(new Dictionary<string, string?> { [WireSchema.StacksArgument] = "all" }));
    }

    private sealed class StackListener : EventListener
    {
        private readonly IDictionary<string, string?> _arguments;

        public StackListener(IDictionary<string, string?> arguments)
        {
            _arguments = arguments;
            EnableEvents(AllocatorEventSource.Log, EventLevel.Verbose, AllocatorEventSource.Keywords.Stacks, _arguments);
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
        }
    }
}

