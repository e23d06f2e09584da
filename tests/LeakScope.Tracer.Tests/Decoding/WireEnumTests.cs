using System.Globalization;
using System.Reflection;
using LeakScope.Tracer.Events;
using LeakScope.Wire;

namespace LeakScope.Tracer.Tests.Decoding;

/// <summary>
/// The tracer's public enums that come off the wire hold exactly the values of the wire schema (src/Wire), name for
/// name, so they cannot drift from what the allocator writes. Families reserved for a later issue are in the schema only.
/// </summary>
public class WireEnumTests
{
    public static TheoryData<Type, Type> Enums => new()
    {
        { typeof(HeapFamily), typeof(WireFamily) },
        { typeof(MisuseKind), typeof(WireMisuseKind) },
        { typeof(OwnerKind), typeof(WireOwnerKind) },
        { typeof(ViewKind), typeof(WireViewKind) },
    };

    [Theory]
    [MemberData(nameof(Enums))]
    public void Every_member_has_the_value_of_its_wire_constant_and_every_wire_constant_a_member(Type enumType, Type wire)
    {
        Assert.Equal(Constants(wire, enumType), Members(enumType));
        Assert.Equal(0, Convert.ToInt64(Enum.Parse(enumType, "Unknown"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Heartbeat_flags_are_the_wire_bits()
    {
        Assert.Equal(Constants(typeof(WireHeartbeatFlags), typeof(HeartbeatFlags)), Members(typeof(HeartbeatFlags)).Where(m => m.Name != nameof(HeartbeatFlags.None)));
    }

    private static IEnumerable<(string Name, long Value)> Members(Type enumType) =>
        Enum.GetNames(enumType).Select(n => (n, Convert.ToInt64(Enum.Parse(enumType, n), CultureInfo.InvariantCulture))).Order();

    /// <summary>The wire class's constants of the enum's underlying type (not, say, <c>WireFamily.Count</c>).</summary>
    private static IEnumerable<(string Name, long Value)> Constants(Type wire, Type enumType) =>
        wire.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == Enum.GetUnderlyingType(enumType) && !f.Name.StartsWith("Reserved", StringComparison.Ordinal))
            .Select(f => (f.Name, Convert.ToInt64(f.GetRawConstantValue(), CultureInfo.InvariantCulture))).Order();
}
