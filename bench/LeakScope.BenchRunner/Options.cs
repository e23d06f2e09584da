using System.Globalization;

namespace LeakScope.BenchRunner;

internal sealed record Options(int Runs, double Scale, bool Native, bool Buffers, bool Quick, string? Output, bool MixedOnly = false, bool Modes = false)
{
    public static Options Parse(string[] args)
    {
        var options = new Options(Runs: 3, Scale: 1.0, Native: true, Buffers: true, Quick: false, Output: null);
        for (int i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Quick = true, Runs = 1, Scale = 0.5 },
                "--runs" => options with { Runs = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--scale" => options with { Scale = double.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--no-native" => options with { Native = false },
                "--no-buffers" => options with { Buffers = false },
                "--mixed-only" => options with { MixedOnly = true },
                "--modes" => options with { Modes = true },
                "--output" => options with { Output = args[++i] },
                _ => throw new ArgumentException($"unknown option {args[i]}; see bench/README.md"),
            };
        }

        return options;
    }
}
