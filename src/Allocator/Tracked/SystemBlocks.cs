using System.Runtime.InteropServices;

namespace LeakScope.Allocator.Tracked;

/// <summary>The real system functions of each tracked family: what the program would have called without LeakScope.</summary>
internal static unsafe class SystemBlocks
{
    /// <summary>Allocates through <paramref name="family"/>'s own function; throws <see cref="OutOfMemoryException"/> as it does.</summary>
    public static nint Allocate(AllocationFamily family, nuint size, nuint alignment, bool zero)
    {
        switch (family)
        {
            case AllocationFamily.Native:
                return (nint)(zero ? NativeMemory.AllocZeroed(size) : NativeMemory.Alloc(size));
            case AllocationFamily.Aligned:
                void* aligned = NativeMemory.AlignedAlloc(size, alignment);
                if (zero)
                {
                    NativeMemory.Clear(aligned, size);
                }

                return (nint)aligned;
            case AllocationFamily.HGlobal:
                nint hglobal = Marshal.AllocHGlobal(checked((nint)size));
                if (zero)
                {
                    NativeMemory.Clear((void*)hglobal, size);
                }

                return hglobal;
            case AllocationFamily.CoTaskMem:
                nint task = Marshal.AllocCoTaskMem(checked((int)size));
                if (zero)
                {
                    NativeMemory.Clear((void*)task, size);
                }

                return task;
            default:
                throw new ArgumentOutOfRangeException(nameof(family), family, "Not a tracked system family.");
        }
    }

    /// <summary>Resizes through <paramref name="family"/>'s own function, with its semantics (and exceptions).</summary>
    public static nint Reallocate(AllocationFamily family, nint address, nuint size, nuint alignment) => family switch
    {
        AllocationFamily.Native => (nint)NativeMemory.Realloc((void*)address, size),
        AllocationFamily.Aligned => (nint)NativeMemory.AlignedRealloc((void*)address, size, alignment),
        AllocationFamily.HGlobal => Marshal.ReAllocHGlobal(address, checked((nint)size)),
        AllocationFamily.CoTaskMem => Marshal.ReAllocCoTaskMem(address, checked((int)size)),
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Not a tracked system family."),
    };

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void Free(AllocationFamily family, nint address)
    {
        switch (family)
        {
            case AllocationFamily.Native:
                NativeMemory.Free((void*)address);
                break;
            case AllocationFamily.Aligned:
                NativeMemory.AlignedFree((void*)address);
                break;
            case AllocationFamily.HGlobal:
                Marshal.FreeHGlobal(address);
                break;
            case AllocationFamily.CoTaskMem:
                Marshal.FreeCoTaskMem(address);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(family), family, "Not a tracked system family.");
        }
    }

    /// <summary>
    /// Gives back a block the quarantine evicted (0: none). Off Windows every family's free function is <c>free</c>,
    /// which ignores null, so the call is made unconditionally: a P/Invoke in a branch the JIT deems rare is not inlined
    /// and costs a marshalling stub (about half of an intercepted pair's overhead when it was conditional).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void FreeEvicted(AllocationFamily family, nint address)
    {
        if (!OperatingSystem.IsWindows())
        {
            NativeMemory.Free((void*)address);
        }
        else if (address != 0)
        {
            Free(family, address);
        }
    }
}
