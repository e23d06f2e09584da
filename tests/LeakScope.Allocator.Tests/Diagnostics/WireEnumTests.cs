using LeakScope.Allocator.Diagnostics;
using LeakScope.Tests.Shared;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests.Diagnostics;

/// <summary>
/// The allocator's enums that cross the wire hold exactly the values of the wire schema (src/Wire), name for name:
/// a member added to one and not the other fails here. Families reserved for a later issue are in the schema only.
/// </summary>
public class WireEnumTests
{
    public static TheoryData<Type, Type> Enums => new()
    {
        { typeof(AllocationFamily), typeof(WireFamily) },
        { typeof(MisuseKind), typeof(WireMisuseKind) },
        { typeof(OwnerKind), typeof(WireOwnerKind) },
        { typeof(ViewKind), typeof(WireViewKind) },
    };

    [Theory]
    [MemberData(nameof(Enums))]
    public void Every_member_has_the_value_of_its_wire_constant_and_every_wire_constant_a_member(Type enumType, Type wire) =>
        WireEnums.AssertSameAsWire(enumType, wire);

    [Fact]
    public void Families_three_to_six_are_reserved_in_the_schema_and_not_yet_a_family()
    {
        byte[] reserved = typeof(WireFamily).GetFields().Where(f => f.Name.StartsWith("Reserved", StringComparison.Ordinal)).Select(f => (byte)f.GetRawConstantValue()!).Order().ToArray();
        Assert.Equal([3, 4, 5, 6], reserved);
        Assert.All(reserved, value => Assert.False(Enum.IsDefined((AllocationFamily)value)));
    }

    [Fact]
    public void Heartbeat_flags_are_the_wire_bits()
    {
        Assert.Equal(WireHeartbeatFlags.Final, AllocatorEventSource.Flags.Final);
        Assert.Equal(WireHeartbeatFlags.Batched, AllocatorEventSource.Flags.Batched);
        Assert.Equal((1, 2), (WireHeartbeatFlags.Final, WireHeartbeatFlags.Batched));
    }
}
