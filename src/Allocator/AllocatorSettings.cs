namespace LeakScope.Allocator;

/// <summary>Process-wide allocator settings.</summary>
public static class AllocatorSettings
{
    /// <summary>The environment variable read once at start-up for the initial <see cref="MisusePolicy"/>.</summary>
    public const string MisusePolicyVariable = "LEAKSCOPE_MISUSE";

    private static volatile MisusePolicy s_misusePolicy = ParsePolicy(Environment.GetEnvironmentVariable(MisusePolicyVariable));

    /// <summary>What happens when a misuse is caught. Defaults to <c>LEAKSCOPE_MISUSE</c>, else <see cref="MisusePolicy.Report"/>.</summary>
    public static MisusePolicy MisusePolicy
    {
        get => s_misusePolicy;
        set => s_misusePolicy = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    /// <summary>Parses <c>report</c>, <c>throw</c> or <c>failfast</c> (any case, <c>fail-fast</c> too); anything else is Report.</summary>
    internal static MisusePolicy ParsePolicy(string? text) => text?.Trim().Replace("-", "", StringComparison.Ordinal).ToUpperInvariant() switch
    {
        "THROW" => MisusePolicy.Throw,
        "FAILFAST" => MisusePolicy.FailFast,
        _ => MisusePolicy.Report,
    };
}
