using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Stacks;

namespace LeakScope.Tracer.Tests.Stacks;

/// <summary>GIVEN blocks with stack samples, WHEN the engine judges, THEN a leak carries the stacks of its own live blocks.</summary>
public class StackAttributionTests
{
    private static readonly CallFrame Helper = new("App.Tensor.Create", "/src/Tensor.cs", 10);
    private static readonly CallFrame Leaky = new("App.Paths.Leaky", "/src/Program.cs", 20);
    private static readonly CallFrame Clean = new("App.Paths.Clean", "/src/Program.cs", 30);

    [Fact]
    public void Every_leaked_byte_goes_to_the_stack_that_allocated_it_and_freed_blocks_to_none()
    {
        var engine = Engine();
        for (int i = 1; i <= 6; i++)
        {
            engine.On(new BlockAllocated(new AllocationId(i), 0, 100, new SiteId(1), HeapFamily.Raw));
            engine.On(new StackSampled(StackOperation.Allocate, StackReason.Every, new AllocationId(i), 100, new SiteId(1), 0, i <= 4 ? 1 : 2));
        }

        engine.On(new BlockFreed(new AllocationId(5), 0, 100, new SiteId(1), HeapFamily.Raw));
        engine.On(new BlockFreed(new AllocationId(6), 0, 100, new SiteId(1), HeapFamily.Raw));

        Finding leak = Assert.Single(engine.Finish(new StreamSummary(StreamEnd.TargetExited, 0, 0, true)).OfKind(FindingKind.Leak));
        FindingStack stack = Assert.Single(leak.Stacks);
        Assert.Equal([Helper, Leaky], stack.Frames);
        Assert.Equal(4, stack.Count);
        Assert.Equal(400, stack.Bytes);
        Assert.False(stack.Estimated);
    }

    [Fact]
    public void Byte_samples_are_scaled_by_their_inverse_probability_and_marked_estimated()
    {
        var engine = Engine();
        engine.On(new BlockAllocated(new AllocationId(1), 0, 1000, new SiteId(1), HeapFamily.Raw));
        engine.On(new StackSampled(StackOperation.Allocate, StackReason.Sampled, new AllocationId(1), 1000, new SiteId(1), 4000, 1));
        engine.On(new BlockAllocated(new AllocationId(2), 0, 1000, new SiteId(1), HeapFamily.Raw));
        engine.On(new StackSampled(StackOperation.Allocate, StackReason.FirstAtSite, new AllocationId(2), 1000, new SiteId(1), 4000, 2));

        Finding leak = Assert.Single(engine.Finish(new StreamSummary(StreamEnd.TargetExited, 0, 0, true)).OfKind(FindingKind.Leak));
        double weight = 1 / (1 - Math.Exp(-1000.0 / 4000));
        FindingStack sampled = leak.Stacks.Single(s => s.Frames[1] == Leaky);
        Assert.True(sampled.Estimated);
        Assert.Equal((long)Math.Round(weight * 1000), sampled.Bytes);
        Assert.Equal((long)Math.Round(weight), sampled.Count);
        FindingStack first = leak.Stacks.Single(s => s.Frames[1] == Clean);
        Assert.False(first.Estimated);
        Assert.Equal(1000, first.Bytes);
    }

    [Fact]
    public void The_innermost_frame_of_the_sites_own_call_reads_the_sites_exact_line_and_other_frames_keep_theirs()
    {
        // The IL map can name the statement before the call (Free(p) right after p = Malloc(...) read as the Malloc line).
        var engine = new AnalysisEngine();
        engine.On(new SiteDefined(new SiteId(7), "/src/Program.cs", 67, "Leaky"));
        engine.On(new SiteDefined(new SiteId(8), "/src/Tensor.cs", 12, "Create"));
        engine.On(new StackDefined(1, [Leaky with { Line = 66 }, Clean]));
        engine.On(new StackDefined(2, [Helper, Leaky]));
        engine.On(new BlockAllocated(new AllocationId(1), 0, 64, new SiteId(7), HeapFamily.Raw));
        engine.On(new StackSampled(StackOperation.Allocate, StackReason.Every, new AllocationId(1), 64, new SiteId(7), 0, 1));
        engine.On(new BlockAllocated(new AllocationId(2), 0, 32, new SiteId(8), HeapFamily.Raw));
        engine.On(new StackSampled(StackOperation.Allocate, StackReason.Every, new AllocationId(2), 32, new SiteId(8), 0, 2));

        AnalysisResult result = engine.Finish(new StreamSummary(StreamEnd.TargetExited, 0, 0, true));

        Finding atProgram = result.OfKind(FindingKind.Leak).Single(f => f.Site.Line == 67);
        Assert.Equal([Leaky with { Line = 67 }, Clean], Assert.Single(atProgram.Stacks).Frames);
        Finding atTensor = result.OfKind(FindingKind.Leak).Single(f => f.Site.Line == 12);
        Assert.Equal([Helper with { Line = 12 }, Leaky], Assert.Single(atTensor.Stacks).Frames);
    }

    [Theory]
    [InlineData("App.Paths.Leaky", "Leaky", true)]
    [InlineData("App.Paths.Main.<lambda>", "Main", true)]
    [InlineData("App.Paths.Main.Helper", "Main", true)]
    [InlineData("App.Paths.NotLeaky", "Leaky", false)]
    [InlineData("App.Paths.Leaky", "", false)]
    public void A_frame_is_in_the_member_that_caller_info_names(string frame, string member, bool expected) =>
        Assert.Equal(expected, MethodNames.IsMember(frame, member));

    [Theory]
    [InlineData(StackReason.Every, 100, 0, 1.0)]
    [InlineData(StackReason.FirstAtSite, 100, 4096, 1.0)]
    [InlineData(StackReason.Sampled, 4096, 4096, 1.5819767068693265)]
    [InlineData(StackReason.Sampled, 1, 1_000_000, 1_000_000.5)]
    public void Sample_weights(StackReason reason, long size, long interval, double expected) =>
        Assert.Equal(expected, SampleWeight.Of(reason, size, interval), 3);

    [Fact]
    public void Il_offsets_come_from_the_last_mapped_instruction_at_or_before_the_native_offset()
    {
        var map = new IlMap([-2, 0, 5, -3, 12], [0, 4, 10, 30, 20]);
        Assert.Equal(-1, map.IlOffset(2));
        Assert.Equal(0, map.IlOffset(4));
        Assert.Equal(5, map.IlOffset(15));
        Assert.Equal(12, map.IlOffset(25));
        Assert.Equal(12, map.IlOffset(40));
    }

    [Fact]
    public void A_caller_frames_line_is_the_line_of_its_call_found_in_the_il_by_the_method_it_called()
    {
        // The IL map can mark only the statement before the call (a value kept on the stack across statements): the call
        // to the next frame's method, found in the IL, gives the call's own line.
        CallSiteFixture.SizeThenKeep();
        System.Reflection.MethodInfo method = typeof(CallSiteFixture).GetMethod(nameof(CallSiteFixture.SizeThenKeep))!;
        string path = typeof(CallSiteFixture).Assembly.Location;
        using var calls = new CallSites();
        using var lines = new SourceLines();

        int il = calls.CallIn(path, method.MetadataToken, 0, int.MaxValue, nameof(CallSiteFixture.Create));
        Assert.True(lines.TryFind(path, method.MetadataToken, il, out _, out int line));
        Assert.Equal(CallSiteFixture.CallLine, line);
        Assert.True(lines.TryFind(path, method.MetadataToken, 0, out _, out int first));
        Assert.Equal(CallSiteFixture.CallLine - 1, first);

        // Several calls and none to the callee (it was inlined away): the map's own offset stays.
        Assert.Equal(0, calls.CallIn(path, method.MetadataToken, 0, int.MaxValue, "Inlined"));
    }

    [Fact]
    public void An_il_range_ends_at_the_next_offset_the_map_marks()
    {
        var map = new IlMap([-2, 0, 12, 5, -3], [0, 4, 20, 10, 30]);
        Assert.Equal(5, map.NextBoundary(0));
        Assert.Equal(12, map.NextBoundary(5));
        Assert.Equal(int.MaxValue, map.NextBoundary(12));
    }

    private static AnalysisEngine Engine()
    {
        var engine = new AnalysisEngine();
        engine.On(new SiteDefined(new SiteId(1), "/src/Tensor.cs", 10, "Create"));
        engine.On(new StackDefined(1, [Helper, Leaky]));
        engine.On(new StackDefined(2, [Helper, Clean]));
        return engine;
    }
}

/// <summary>A value kept on the evaluation stack from one statement into the next, then a call: the IL that misleads the map.</summary>
internal static class CallSiteFixture
{
    public static int CallLine { get; private set; }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static void SizeThenKeep()
    {
        int bytes = Size();
        Keep(Create(bytes), Here());
    }

    public static int Create(int bytes) => bytes;

    private static int Size() => 1_000;

    private static void Keep(int value, int line) => CallLine = line + (value * 0);

    private static int Here([System.Runtime.CompilerServices.CallerLineNumber] int line = 0) => line;
}
