using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace LeakScope.Benchmarks;

/// <summary>
/// The two ways to run the benchmarks: the standard BenchmarkDotNet job, and <c>--quick</c>, a short
/// job that finishes the whole untraced suite in a few minutes on a 2-core machine. Both report the
/// ratio to the baseline, which is what the quality bars are stated in.
/// </summary>
internal static class BenchmarkConfigs
{
    public const string QuickSwitch = "--quick";

    public static IConfig Standard() => Common(Job.Default);

    public static IConfig Quick() => Common(Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(4)
        .WithIterationCount(12)
        .WithId("Quick"));

    private static IConfig Common(Job job) => ManualConfig.Create(DefaultConfig.Instance)
        .AddJob(job)
        .AddColumn(StatisticColumn.Median)
        .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
        .WithOptions(ConfigOptions.JoinSummary);
}
