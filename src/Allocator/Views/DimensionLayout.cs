namespace LeakScope.Allocator;

/// <summary>
/// How one dimension of a view is laid out, with the names and meaning of <c>cython.view</c>'s axis specifiers.
/// A direct dimension steps through elements of one block; an indirect one steps through a list of pointers to
/// sub-blocks and follows the pointer (PEP 3118 <c>suboffsets</c>). As in Cython, a dimension may be declared
/// <see cref="Contiguous"/> or <see cref="IndirectContiguous"/> only if it is the first, the last, or the one after an
/// indirect dimension (<see cref="IndirectView{T}.CheckLayouts"/>).
/// </summary>
public enum DimensionLayout
{
    /// <summary>Direct or indirect, strided (<c>view.generic</c>): any layout matches.</summary>
    Generic = 0,

    /// <summary>Direct and strided (<c>view.strided</c>, Cython's default): neighbours lie any fixed distance apart in one block.</summary>
    Strided = 1,

    /// <summary>Indirect and strided (<c>view.indirect</c>): each index selects a pointer, at any fixed distance from its neighbour, to a sub-block.</summary>
    Indirect = 2,

    /// <summary>Direct and contiguous (<c>view.contiguous</c>, <c>::1</c>): neighbours are adjacent elements (a stride of 1).</summary>
    Contiguous = 3,

    /// <summary>Indirect, with the list of pointers contiguous (<c>view.indirect_contiguous</c>).</summary>
    IndirectContiguous = 4,
}
