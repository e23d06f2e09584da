using LeakScope.Allocator;
using LeakScope.Tests.Shared;

namespace LeakScope.Allocator.Tests.Architecture;

/// <summary>The allocator's exceptions are caught and read by callers, never constructed by them.</summary>
public class ExceptionApiTests
{
    [Fact]
    public void No_public_exception_of_the_allocator_has_a_constructor_callers_can_reach()
    {
        IReadOnlyList<string> open = ExceptionSurface.ConstructorsOpenToCallers(typeof(RawHeap).Assembly);

        Assert.True(open.Count == 0, string.Join("\n", open));
    }

    [Fact]
    public void The_exceptions_callers_catch_stay_public_with_their_properties()
    {
        IReadOnlyList<Type> exceptions = ExceptionSurface.PublicExceptions(typeof(RawHeap).Assembly);

        Assert.Equal([typeof(AllocatorMisuseException), typeof(BufferBusyException), typeof(LeakGateException)], exceptions);
        Assert.True(typeof(AllocatorMisuseException).GetProperty(nameof(AllocatorMisuseException.Kind))!.GetMethod!.IsPublic);
        Assert.True(typeof(BufferBusyException).GetProperty(nameof(BufferBusyException.OutstandingViews))!.GetMethod!.IsPublic);
        Assert.True(typeof(LeakGateException).GetProperty(nameof(LeakGateException.Leaks))!.GetMethod!.IsPublic);
    }
}
