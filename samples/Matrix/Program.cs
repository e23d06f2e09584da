// Cython's Matrix exporting its storage through the buffer protocol, in C#: AddRow is refused while the matrix is
// viewed, and numeric work goes through strided views (rows, columns, a transpose, slices, copies).
using LeakScope.Allocator;
using LeakScope.Samples;

using (var matrix = new Matrix(columns: 3))
{
    for (int r = 0; r < 4; r++)
    {
        matrix.AddRow();
    }

    using (StridedView<float> m = matrix.AcquireView())
    {
        for (int i = 0; i < matrix.Rows; i++)
        {
            for (int j = 0; j < matrix.Columns; j++)
            {
                m[i, j] = (i * matrix.Columns) + j + 1;
            }
        }

        Console.WriteLine($"view: shape ({string.Join(", ", m.Shape.ToArray())}), strides ({string.Join(", ", m.Strides.ToArray())}), view count {matrix.ViewCount}");

        // The buffer protocol forbids resizing while viewed.
        try
        {
            matrix.AddRow();
        }
        catch (BufferBusyException e)
        {
            Console.WriteLine($"AddRow refused while viewed: {e.OutstandingViews.Count} view(s) outstanding, first {e.OutstandingViews[0]}");
        }

        // Row sums through row views (numpy's m[i]).
        var rowSums = new float[matrix.Rows];
        for (int i = 0; i < matrix.Rows; i++)
        {
            using StridedView<float> row = m.Select(0, i);
            for (int j = 0; j < row.Shape[0]; j++)
            {
                rowSums[i] += row[j];
            }
        }

        Console.WriteLine($"row sums: [{string.Join(", ", rowSums)}]");

        // Column sums through the transpose: no copy, just swapped strides.
        using (StridedView<float> t = m.Transpose())
        {
            var columnSums = new float[t.Shape[0]];
            for (int j = 0; j < t.Shape[0]; j++)
            {
                for (int i = 0; i < t.Shape[1]; i++)
                {
                    columnSums[j] += t[j, i];
                }
            }

            Console.WriteLine($"column sums via transpose: [{string.Join(", ", columnSums)}], transpose is Fortran-contiguous: {t.IsFortranContiguous}");
        }

        // Matrix × vector.
        float[] x = [1, 0, -1];
        var y = new float[matrix.Rows];
        for (int i = 0; i < matrix.Rows; i++)
        {
            for (int j = 0; j < matrix.Columns; j++)
            {
                y[i] += m[i, j] * x[j];
            }
        }

        Console.WriteLine($"m · [1, 0, -1] = [{string.Join(", ", y)}]");

        // Every other row, reversed columns: m[::2, ::-1].
        using (StridedView<float> slice = m.Slice([new SliceRange(Step: 2), new SliceRange(Step: -1)]))
        {
            Console.WriteLine($"m[::2, ::-1] = [{string.Join(", ", slice.ToArray())}], C-contiguous: {slice.IsCContiguous}");

            // Copy into new Fortran-ordered storage, then back into the view through CopyTo.
            using StridedView<float> fortran = slice.CopyFortran();
            Console.WriteLine($"copy_fortran: strides ({string.Join(", ", fortran.Strides.ToArray())}), Fortran-contiguous: {fortran.IsFortranContiguous}");
            fortran.Fill(0);
            fortran.CopyTo(slice);
        }

        Console.WriteLine($"after zeroing m[::2, ::-1]: [{string.Join(", ", m.ToArray())}]");
    }

    // Released: rows may be added again.
    matrix.AddRow();
    Console.WriteLine($"AddRow after release: {matrix.Rows} rows, view count {matrix.ViewCount}");
}

HeapSnapshot stats = HeapStats.Capture();
Console.WriteLine($"HeapStats: {stats}");
return stats.LiveBlocks == 0 && stats.MisuseCount == 0 ? 0 : 1;
