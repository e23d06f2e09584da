using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using LeakScope.Benchmarks;

// dotnet run -c Release --project bench/LeakScope.Benchmarks -- [--quick] [BenchmarkDotNet options]
// e.g. -- --quick --filter '*Untraced*'      (see bench/README.md)
bool quick = args.Contains(BenchmarkConfigs.QuickSwitch);
string[] benchmarkArgs = args.Where(a => a != BenchmarkConfigs.QuickSwitch).ToArray();
IConfig config = quick ? BenchmarkConfigs.Quick() : BenchmarkConfigs.Standard();
BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfigs).Assembly).Run(benchmarkArgs, config);
