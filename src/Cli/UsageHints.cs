namespace LeakScope.Cli;

/// <summary>The wording of usage errors that name a mistake: an unknown command or option, with the nearest real one.</summary>
internal static class UsageHints
{
    public static string UnknownCommand(string given, IEnumerable<string> commands)
    {
        string[] known = commands.ToArray();
        string? near = Nearest(given, known);
        string suggestion = near is null ? string.Empty : $" (did you mean '{near}'?)";
        return $"unknown command '{given}'{suggestion}; the commands are {string.Join(", ", known)} (see 'leakscope --help')";
    }

    public static string UnknownOption(string given, string command, IEnumerable<string> options)
    {
        string? near = Nearest(given, options.ToArray());
        string suggestion = near is null ? string.Empty : $" (did you mean '{near}'?)";
        return $"unknown option '{given}'{suggestion} (see 'leakscope {command} --help')";
    }

    /// <summary>Adds the command after <c>--</c> to the usage line of <c>trace</c>'s help.</summary>
    public static string WithLaunchCommand(string help)
    {
        const string Usage = "leakscope trace [<pid>] [options]";
        return help.Replace(Usage, Usage + " [-- <command> [<args>...]]", StringComparison.Ordinal);
    }

    /// <summary>The candidate at most two edits away from <paramref name="given"/>, if there is one.</summary>
    private static string? Nearest(string given, IReadOnlyList<string> candidates)
    {
        string? best = null;
        int bestDistance = 3;
        foreach (string candidate in candidates)
        {
            int distance = Distance(given, candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = previous[j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
