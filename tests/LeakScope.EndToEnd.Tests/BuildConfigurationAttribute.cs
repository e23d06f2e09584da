namespace LeakScope.EndToEnd.Tests;

/// <summary>The configuration the tests were built in, so they start the sample and CLI of the same build.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class BuildConfigurationAttribute(string configuration) : Attribute
{
    public string Configuration { get; } = configuration;
}
