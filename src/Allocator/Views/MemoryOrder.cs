namespace LeakScope.Allocator;

/// <summary>How a contiguous multi-dimensional layout orders its elements.</summary>
public enum MemoryOrder
{
    /// <summary>Row-major (C order): the last index varies fastest.</summary>
    C = 0,

    /// <summary>Column-major (Fortran order): the first index varies fastest.</summary>
    Fortran = 1,
}
