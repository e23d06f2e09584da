namespace MisuseDemo;

/// <summary>
/// <c>--hold N</c> raw blocks of 128 B allocated before anything else (half freed later);
/// <c>--wait-for-tracer</c> waits until a session enables LeakScope-Allocator; <c>--sleep-ms N</c> sleeps
/// before the work, <c>--sleep-after-ms N</c> after it; <c>--wait-for-input</c> reads a line of standard input before
/// the work (a test says when, e.g. once every tracer it attaches is up); <c>--crash</c> kills itself at the end;
/// <c>--exit-code N</c> is returned; <c>--rounds N</c> rounds of clean traffic (32 operations each, default 200).
/// </summary>
internal sealed record DemoOptions(int Hold, bool WaitForTracer, int SleepMs, int SleepAfterMs, bool Crash, int ExitCode, int Rounds = 200, bool WaitForInput = false)
{
    public static DemoOptions Parse(string[] args)
    {
        var options = new DemoOptions(0, false, 0, 0, false, 0);
        for (int i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--hold" => options with { Hold = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) },
                "--wait-for-tracer" => options with { WaitForTracer = true },
                "--sleep-ms" => options with { SleepMs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) },
                "--sleep-after-ms" => options with { SleepAfterMs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) },
                "--wait-for-input" => options with { WaitForInput = true },
                "--crash" => options with { Crash = true },
                "--rounds" => options with { Rounds = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) },
                "--exit-code" => options with { ExitCode = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options;
    }
}
