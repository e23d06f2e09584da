using LeakScope.Tracer.Stacks;

namespace LeakScope.Tracer.Tests.Stacks;

public class MethodNamesTests
{
    [Theory]
    [InlineData("App.Program", "Main", "App.Program.Main")]
    [InlineData("App.Paths+<PrefetchAsync>d__1", "MoveNext", "App.Paths.PrefetchAsync")]
    [InlineData("Program+<<Main>$>d__0", "MoveNext", "Program.Main")]
    [InlineData("Program", "<Main>$", "Program.Main")]
    [InlineData("Program", "<Main>", "Program.Main")]
    [InlineData("App.Program+<>c", "<Main>b__0_0", "App.Program.Main.<lambda>")]
    [InlineData("App.Program+<>c__DisplayClass0_0", "<Run>b__1", "App.Program.Run.<lambda>")]
    [InlineData("App.Program+<>c+<<Main>b__0_0>d", "MoveNext", "App.Program.Main.<lambda>")]
    [InlineData("App.Program", "<Main>g__Helper|0_0", "App.Program.Main.Helper")]
    [InlineData("App.Outer+Inner", "Run", "App.Outer.Inner.Run")]
    [InlineData("System.Collections.Generic.List`1[App.Item+Part]", "Add", "System.Collections.Generic.List`1[App.Item+Part].Add")]
    public void Compiler_generated_names_read_as_the_source(string type, string method, string expected) =>
        Assert.Equal(expected, MethodNames.Format(type, method));

    [Theory]
    [InlineData("System.Runtime.CompilerServices.AsyncMethodBuilderCore", true)]
    [InlineData("System.Threading.ExecutionContext", true)]
    [InlineData("System.Threading.Thread", true)]
    [InlineData("System.Collections.Generic.List`1[System.Int32]", false)]
    [InlineData("App.Program", false)]
    public void Async_plumbing_is_recognised(string type, bool plumbing) => Assert.Equal(plumbing, MethodNames.IsAsyncPlumbing(type));
}
