using System.Runtime.CompilerServices;
using LeakScope.Allocator;

namespace LeakScope.Samples;

/// <summary>
/// Cython's buffer-protocol <c>Matrix</c>: a growing table of floats, <see cref="Columns"/> wide, that exports its
/// storage through views. <c>__getbuffer__</c> is <see cref="AcquireView"/> (shape (rows, columns), C strides);
/// <c>__releasebuffer__</c> is disposing the view; <c>add_row</c> refuses while any view is outstanding, because the
/// storage may move. The view count lives in the <see cref="NativeBuffer{T}"/>, which does the refusing.
/// </summary>
internal sealed class Matrix : IDisposable
{
    private readonly NativeBuffer<float> _storage;

    public Matrix(int columns, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        Columns = columns;
        _storage = new NativeBuffer<float>(0, AllocationFamily.Pool, file, line, member);
    }

    public int Columns { get; }

    public int Rows => _storage.Length / Columns;

    /// <summary>Views outstanding (the Cython example's <c>view_count</c>).</summary>
    public int ViewCount => _storage.ViewCount;

    /// <summary>Adds a row of zeros.</summary>
    /// <exception cref="BufferBusyException">The matrix is being viewed (Cython: "can't add row while being viewed").</exception>
    public void AddRow([CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        _storage.Resize(_storage.Length + Columns, file, line, member);

    /// <summary>A (rows × columns) C-contiguous view of the storage; dispose it to release the matrix.</summary>
    public StridedView<float> AcquireView([CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        _storage.AcquireStridedView([Rows, Columns], MemoryOrder.C, file, line, member);

    public void Dispose() => _storage.Dispose();
}
