using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Tests.Heaps;

/// <summary>
/// The free path's proof that a pointer is a slot's user pointer (<see cref="PoolInfo.SlotOf"/>: one multiply for the
/// remainder, one for the quotient) against plain division, for every size class and every byte offset of a pool, and
/// for the offsets inside the first header, whose subtraction wraps.
/// </summary>
public class SlotProofTests
{
    [Fact]
    public void Every_offset_of_every_class_is_judged_as_division_judges_it()
    {
        for (int classIndex = 0; classIndex < SizeClasses.Count; classIndex++)
        {
            PoolInfo pool = PoolInfo.For(AllocationFamily.Pool, classIndex);
            uint stride = (uint)SizeClasses.Stride(classIndex);
            for (uint inPool = 0; inPool < Arena.PoolSize; inPool++)
            {
                bool isSlot = pool.SlotOf(inPool, out ulong slot);
                if (inPool < SizeClasses.HeaderSize)
                {
                    // Inside the first header the subtraction wraps: whatever the remainder says, the quotient is past
                    // every slot a pool can carve, so the carved-count compare refuses it.
                    Assert.True(!isSlot || slot >= Arena.PoolSize / stride, $"class {classIndex}, offset {inPool}: slot {slot}");
                    continue;
                }

                uint relative = inPool - SizeClasses.HeaderSize;
                Assert.True(relative % stride == 0 == isSlot, $"class {classIndex}, offset {inPool}: {isSlot}");
                if (isSlot)
                {
                    Assert.Equal(relative / stride, slot);
                }
            }
        }
    }

    [Fact]
    public void No_offset_of_an_unused_pool_or_of_the_first_header_is_a_carved_slot()
    {
        for (int classIndex = 0; classIndex < SizeClasses.Count; classIndex++)
        {
            PoolInfo full = PoolInfo.For(AllocationFamily.Raw, classIndex);
            full.Carved = Arena.PoolSize / SizeClasses.Stride(classIndex);
            for (uint inPool = 0; inPool < SizeClasses.HeaderSize; inPool++)
            {
                Assert.False(full.IsCarvedSlotStart(inPool));
            }

            Assert.True(full.IsCarvedSlotStart(SizeClasses.HeaderSize));
        }

        PoolInfo unused = default;
        for (uint inPool = 0; inPool < Arena.PoolSize; inPool++)
        {
            Assert.False(unused.SlotOf(inPool, out _));
            Assert.False(unused.IsCarvedSlotStart(inPool));
        }
    }
}
