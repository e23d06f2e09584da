namespace LeakScope.Allocator.Tests;

public class SliceRangeTests
{
    /// <summary>Expected values from Python: <c>slice(start, stop, step).indices(length)</c> and <c>len(range(...))</c>.</summary>
    [Theory]
    [InlineData(null, null, 1, 5, 0, 5)]    // [:]
    [InlineData(1, 3, 1, 5, 1, 2)]          // [1:3]
    [InlineData(null, null, 2, 5, 0, 3)]    // [::2]
    [InlineData(null, null, -1, 5, 4, 5)]   // [::-1]
    [InlineData(-2, null, 1, 5, 3, 2)]      // [-2:]
    [InlineData(null, -1, 1, 5, 0, 4)]      // [:-1]
    [InlineData(3, 0, -1, 5, 3, 3)]         // [3:0:-1]
    [InlineData(10, 20, 1, 5, 5, 0)]        // past the end
    [InlineData(-10, 2, 1, 5, 0, 2)]        // before the start
    [InlineData(4, 1, 1, 5, 4, 0)]          // empty forwards
    [InlineData(null, null, -2, 6, 5, 3)]   // [::-2]
    [InlineData(null, null, 1, 0, 0, 0)]    // empty dimension
    [InlineData(null, null, 0, 5, 0, 5)]    // step 0 means 1 (default(SliceRange))
    public void Resolve_matches_pythons_slice_indices(int? start, int? stop, int step, int length, int first, int count)
    {
        (int actualFirst, int actualCount) = new SliceRange(start, stop, step).Resolve(length);
        Assert.Equal(count, actualCount);
        if (count > 0)
        {
            Assert.Equal(first, actualFirst);
        }
    }

    [Fact]
    public void All_and_default_select_everything()
    {
        Assert.Equal((0, 7), SliceRange.All.Resolve(7));
        Assert.Equal((0, 7), default(SliceRange).Resolve(7));
        Assert.Equal("1:5:2", new SliceRange(1, 5, 2).ToString());
        Assert.Equal("::-1", new SliceRange(Step: -1).ToString());
    }
}
