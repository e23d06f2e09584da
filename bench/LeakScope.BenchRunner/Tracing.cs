using System.Globalization;
using System.Text.Json;

namespace LeakScope.BenchRunner;

/// <summary>A workload launched under the built <c>leakscope trace</c>, its WORKLOAD time read from the child's output passing through.</summary>
internal static class Tracing
{
    public sealed record Result(double WorkloadMs, bool Complete, long EventsLost, double EndToJudgedMs, double ExitToReportMs)
    {
        /// <summary>The target's main-thread CPU time in the timed section (<c>WORKLOADCPU</c>).</summary>
        public double WorkloadCpuMs { get; init; } = double.NaN;

        /// <summary>Events the stack session lost (<c>session.stacks.eventsLost</c>; a lost stack event loses a stack, never a block).</summary>
        public long StackEventsLost { get; init; }
    }

    public static Result Trace(Paths paths, string workload, string scale, bool perOperation, int? bufferMB, string? stacks = null)
    {
        string report = Path.Combine(Path.GetTempPath(), $"leakscope-bench-{Guid.NewGuid():N}.json");
        try
        {
            var arguments = new List<string> { paths.Cli, "trace", "--format", "json", "-o", report };
            if (perOperation)
            {
                arguments.Add("--per-operation");
            }

            if (stacks is not null)
            {
                arguments.AddRange(["--stacks", stacks]);
            }

            if (bufferMB is { } mb)
            {
                arguments.AddRange(["--buffersize", mb.ToString(CultureInfo.InvariantCulture)]);
            }

            arguments.AddRange(["--", "dotnet", paths.TraceBench, workload, scale]);
            Run run = Run.Start("dotnet", arguments);
            if (run.ExitCode is not (0 or 1))
            {
                throw new InvalidOperationException($"leakscope trace exited {run.ExitCode}: {run.Errors}");
            }

            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(report));
            JsonElement root = doc.RootElement;
            JsonElement session = root.GetProperty("session");
            double endToJudged = session.TryGetProperty("endToJudgedMilliseconds", out JsonElement e) ? e.GetDouble() : double.NaN;

            // HEAPSTATS is the child's last line before Main returns; the CLI exits right after writing the report.
            TimeSpan? lastLine = run.LineAt("HEAPSTATS ");
            double exitToReport = lastLine is { } at ? (run.Exited - at).TotalMilliseconds : double.NaN;
            return new Result(run.WorkloadMs, root.GetProperty("complete").GetBoolean(), root.GetProperty("eventsLost").GetInt64(), endToJudged, exitToReport)
            {
                WorkloadCpuMs = run.WorkloadCpuMs,
                StackEventsLost = session.TryGetProperty("stacks", out JsonElement stacksElement) && stacksElement.ValueKind == JsonValueKind.Object
                    && stacksElement.TryGetProperty("eventsLost", out JsonElement lost) ? lost.GetInt64() : 0,
            };
        }
        finally
        {
            File.Delete(report);
        }
    }

    public static string Summary(IEnumerable<bool> complete)
    {
        bool[] all = complete.ToArray();
        return all.All(c => c) ? "yes" : $"{all.Count(c => c)} of {all.Length}";
    }
}
