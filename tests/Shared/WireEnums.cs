using System.Globalization;
using System.Reflection;

namespace LeakScope.Tests.Shared;

/// <summary>
/// Both sides' enums that cross the wire against the wire schema (src/Wire), by reflection: the allocator's and the
/// tracer's <c>WireEnumTests</c> ask the same question of their own enums, so it is written here once.
/// </summary>
internal static class WireEnums
{
    /// <summary>
    /// <paramref name="enumType"/> holds exactly the literal constants of <paramref name="wire"/>, name for name and
    /// value for value (constants named <c>Reserved…</c> are in the schema only), and <c>Unknown</c> is 0.
    /// </summary>
    public static void AssertSameAsWire(Type enumType, Type wire)
    {
        Assert.Equal(Constants(wire), Members(enumType));
        Assert.Equal(0, Convert.ToInt64(Enum.Parse(enumType, "Unknown"), CultureInfo.InvariantCulture));
    }

    /// <summary>An enum's members as (name, value), in order.</summary>
    public static IEnumerable<(string Name, long Value)> Members(Type enumType) =>
        Enum.GetNames(enumType).Select(n => (n, Convert.ToInt64(Enum.Parse(enumType, n), CultureInfo.InvariantCulture))).Order();

    /// <summary>A wire-schema class's literal constants as (name, value), in order, leaving out the reserved ones.</summary>
    public static IEnumerable<(string Name, long Value)> Constants(Type wire) =>
        wire.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && !f.Name.StartsWith("Reserved", StringComparison.Ordinal))
            .Select(f => (f.Name, Convert.ToInt64(f.GetRawConstantValue(), CultureInfo.InvariantCulture))).Order();
}
