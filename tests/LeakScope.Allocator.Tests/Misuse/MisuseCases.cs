using LeakScope.Allocator.MisuseTarget;

namespace LeakScope.Allocator.Tests.Misuse;

/// <summary>Theory data: every scenario of <see cref="MisuseScenarios"/>, by name so the test names read well.</summary>
internal static class MisuseCases
{
    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (MisuseScenario scenario in MisuseScenarios.All)
            {
                data.Add(scenario.Name);
            }

            return data;
        }
    }
}
