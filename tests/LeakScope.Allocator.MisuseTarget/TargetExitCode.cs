namespace LeakScope.Allocator.MisuseTarget;

/// <summary>How the misuse target ended, when it ended by itself (a FailFast ends it from inside the allocator).</summary>
public enum TargetExitCode
{
    /// <summary>The misuse was reported and the program carried on.</summary>
    Survived = 0,

    /// <summary>No such scenario, or no argument.</summary>
    Usage = 2,

    /// <summary>The allocator threw <see cref="AllocatorMisuseException"/>.</summary>
    Caught = 3,
}
