using System.Runtime.InteropServices;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.MisuseTarget;

/// <summary>
/// Memory from <see cref="NativeMemory.Alloc(nuint)"/>, which no LeakScope heap handed out.
/// The allocator remembers the addresses of recently freed large blocks (to tell a double free from
/// an invalid one), and the system allocator may hand such an address out again; a free of it would
/// then rightly read as a double free. Addresses the allocator still remembers are skipped.
/// </summary>
internal static unsafe class ForeignMemory
{
    public static nint Allocate(nuint size)
    {
        var remembered = new List<nint>();
        try
        {
            while (true)
            {
                nint pointer = (nint)NativeMemory.Alloc(size);
                if (!LargeBlocks.TryGetRecentlyFreed(pointer, out _))
                {
                    return pointer;
                }

                remembered.Add(pointer);
            }
        }
        finally
        {
            foreach (nint pointer in remembered)
            {
                NativeMemory.Free((void*)pointer);
            }
        }
    }

    public static void Free(nint pointer) => NativeMemory.Free((void*)pointer);
}
