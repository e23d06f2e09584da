using LeakScope.Tests.Shared;
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
    public void Every_member_has_the_value_of_its_wire_constant_and_every_wire_constant_a_member(Type enumType, Type wire) =>
        WireEnums.AssertSameAsWire(enumType, wire);

    [Fact]
    public void Heartbeat_flags_are_the_wire_bits()
    {
        Assert.Equal(WireEnums.Constants(typeof(WireHeartbeatFlags)), WireEnums.Members(typeof(HeartbeatFlags)).Where(m => m.Name != nameof(HeartbeatFlags.None)));
    }
}
