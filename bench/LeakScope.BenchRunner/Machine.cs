using System.Runtime.InteropServices;

namespace LeakScope.BenchRunner;

internal static class Machine
{
    public static string Describe()
    {
        string cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }

        return $"{RuntimeInformation.OSDescription}, {cpu}, {Environment.ProcessorCount} cores, .NET {Environment.Version}";
    }
}
