using LeakScope.Allocator;
using LeakScope.Allocator.MisuseTarget;

// Usage: LeakScope.Allocator.MisuseTarget <scenario>
// Prints the policy that LEAKSCOPE_MISUSE selected, commits the named misuse, and says how it ended:
// "caught: <kind>" (exit 3) when the allocator threw, "survived" (exit 0) when it reported and carried
// on. Under FailFast the allocator ends the process before either line.
// Usage: LeakScope.Allocator.MisuseTarget wire-round-trip — writes every event and batch record of the wire schema once traced.
if (args is ["wire-round-trip"])
{
    return WireRoundTrip.Run();
}

// Usage: LeakScope.Allocator.MisuseTarget memory-given-back — a freed burst's RSS and a steady loop's page releases.
if (args is [MemoryGivenBack.Name])
{
    return MemoryGivenBack.Run();
}

if (args.Length != 1 || MisuseScenarios.Find(args[0]) is not { } scenario)
{
    Console.Error.WriteLine($"usage: LeakScope.Allocator.MisuseTarget <{string.Join('|', MisuseScenarios.All.Select(s => s.Name))}>");
    return (int)TargetExitCode.Usage;
}

Console.WriteLine($"policy: {AllocatorSettings.MisusePolicy}");
Victim victim = scenario.Arrange();
try
{
    nint result = scenario.Misuse(victim);
    scenario.CleanUpAfterReport(victim, result);
}
catch (AllocatorMisuseException e)
{
    Console.WriteLine($"caught: {e.Kind}");
    scenario.CleanUpAfterThrow(victim);
    return (int)TargetExitCode.Caught;
}

Console.WriteLine("survived");
return (int)TargetExitCode.Survived;
