namespace LeakScope.Allocator.Heaps;

/// <summary>One live block as the heap walker reports it.</summary>
internal readonly record struct LiveBlock(long AllocationId, nint Address, nuint Size, int SiteId, AllocationFamily Family);
