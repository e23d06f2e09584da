using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using LeakScope.Benchmarks;
using LeakScope.Benchmarks.Ratios;

// dotnet run -c Release --project bench/LeakScope.Benchmarks -- [--quick] [BenchmarkDotNet options]
// e.g. -- --quick --filter '*Untraced*'      (see bench/README.md)
// dotnet run -c Release --project bench/LeakScope.Benchmarks -- --ratios [--rounds N] [--scale X]
//   every untraced ratio of the allocator's bars in one run (mixed sizes, sites, threads, memory given back)
// dotnet run -c Release --project bench/LeakScope.Benchmarks -- --ratios --interception   (only the interception bar)
if (args.Contains(RatioRunner.Switch))
{
    return RatioRunner.Run(args);
}

bool quick = args.Contains(BenchmarkConfigs.QuickSwitch);
string[] benchmarkArgs = args.Where(a => a != BenchmarkConfigs.QuickSwitch).ToArray();
IConfig config = quick ? BenchmarkConfigs.Quick() : BenchmarkConfigs.Standard();
BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfigs).Assembly).Run(benchmarkArgs, config);
return 0;
