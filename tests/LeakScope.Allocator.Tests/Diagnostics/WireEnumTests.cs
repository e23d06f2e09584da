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
    public void Families_three_to_six_are_the_tracked_system_families_and_per_family_tables_cover_them()
    {
        Assert.Equal(
            [(AllocationFamily)3, (AllocationFamily)4, (AllocationFamily)5, (AllocationFamily)6],
            [AllocationFamily.Native, AllocationFamily.Aligned, AllocationFamily.HGlobal, AllocationFamily.CoTaskMem]);
        Assert.Equal(WireFamily.Count, Enum.GetValues<AllocationFamily>().Max(f => (int)f) + 1);
    }

    [Fact]
    public void Heartbeat_flags_are_the_wire_bits()
    {
        Assert.Equal(WireHeartbeatFlags.Final, AllocatorEventSource.Flags.Final);
        Assert.Equal(WireHeartbeatFlags.Batched, AllocatorEventSource.Flags.Batched);
        Assert.Equal((1, 2), (WireHeartbeatFlags.Final, WireHeartbeatFlags.Batched));
    }
}
