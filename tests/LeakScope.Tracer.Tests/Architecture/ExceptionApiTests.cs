using LeakScope.Tests.Shared;
using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Tracer.Tests.Architecture;

/// <summary>
/// The tracer's exceptions are caught by front ends (the CLI maps them to exit codes) and read, never constructed
/// or subclassed outside the tracer: <see cref="TracerException"/> is the closed family a front end can rely on.
/// </summary>
public class ExceptionApiTests
{
    [Fact]
    public void No_public_exception_of_the_tracer_has_a_constructor_callers_can_reach()
    {
        IReadOnlyList<string> open = ExceptionSurface.ConstructorsOpenToCallers(typeof(TracerException).Assembly);

        Assert.True(open.Count == 0, string.Join("\n", open));
    }

    [Fact]
    public void Every_public_tracer_exception_is_a_TracerException_and_stays_public()
    {
        IReadOnlyList<Type> exceptions = ExceptionSurface.PublicExceptions(typeof(TracerException).Assembly);

        Assert.Equal(
            [typeof(TraceUnreadableException), typeof(UnsupportedSchemaVersionException), typeof(SuppressionFileException), typeof(LeakScope.Tracer.Reachability.ReachabilityException), typeof(TargetUnavailableException), typeof(TracerException)],
            exceptions);
        Assert.All(exceptions, t => Assert.True(typeof(TracerException).IsAssignableFrom(t), t.FullName));
        Assert.True(typeof(UnsupportedSchemaVersionException).GetProperty(nameof(UnsupportedSchemaVersionException.SupportedVersion))!.GetMethod!.IsPublic);
    }
}
