namespace LeakScope.Allocator.MisuseTarget;

/// <summary>
/// Every misuse the allocator detects, in both families and for small (pooled) and large (system)
/// blocks. Each offending call sits in its own method so that the site it is reported at is named.
/// </summary>
public static unsafe class MisuseScenarios
{
    private const AllocationFamily Raw = AllocationFamily.Raw;
    private const AllocationFamily Pool = AllocationFamily.Pool;
    private const AllocationFamily Unknown = AllocationFamily.Unknown;

    /// <summary>A block size served by the system allocator in both families.</summary>
    private const nuint LargeSize = 4096;

    public static IReadOnlyList<MisuseScenario> All { get; } =
    [
        // Freed through the wrong family. Report frees the block by its own family.
        new("mismatched-free-raw-by-pool", MisuseKind.MismatchedFree, Raw, Pool, nameof(FreeWithPool),
            () => LiveRaw(48), FreeWithPool, FreeRawBlock, NothingLeft),
        new("mismatched-free-pool-by-raw", MisuseKind.MismatchedFree, Pool, Raw, nameof(FreeWithRaw),
            () => LivePool(48), FreeWithRaw, FreePoolBlock, NothingLeft),
        new("mismatched-free-large-raw-by-pool", MisuseKind.MismatchedFree, Raw, Pool, nameof(FreeWithPool),
            () => LiveRaw(LargeSize), FreeWithPool, FreeRawBlock, NothingLeft),

        // Reallocated through the wrong family. Report moves the block into the caller's family.
        new("mismatched-realloc-raw-by-pool", MisuseKind.MismatchedFree, Raw, Pool, nameof(ReallocWithPool),
            () => LiveRaw(48), ReallocWithPool, FreeRawBlock, (_, moved) => PoolHeap.Free((void*)moved)),
        new("mismatched-realloc-pool-by-raw", MisuseKind.MismatchedFree, Pool, Raw, nameof(ReallocWithRaw),
            () => LivePool(48), ReallocWithRaw, FreePoolBlock, (_, moved) => RawHeap.Free((void*)moved)),

        // Freed twice.
        new("double-free-small-raw", MisuseKind.DoubleFree, Raw, Raw, nameof(FreeWithRaw),
            () => FreedRaw(64), FreeWithRaw, Nothing, NothingLeft),
        new("double-free-small-pool", MisuseKind.DoubleFree, Pool, Pool, nameof(FreeWithPool),
            () => FreedPool(64), FreeWithPool, Nothing, NothingLeft),
        new("double-free-large-raw", MisuseKind.DoubleFree, Raw, Raw, nameof(FreeWithRaw),
            () => FreedRaw(LargeSize), FreeWithRaw, Nothing, NothingLeft),
        new("double-free-large-pool", MisuseKind.DoubleFree, Pool, Pool, nameof(FreeWithPool),
            () => FreedPool(1 << 20), FreeWithPool, Nothing, NothingLeft),

        // Pointers no LeakScope heap handed out.
        new("invalid-free-stack", MisuseKind.InvalidFree, Unknown, Raw, nameof(FreeStackMemoryWithRaw),
            () => default, FreeStackMemoryWithRaw, Nothing, NothingLeft),
        new("invalid-free-managed", MisuseKind.InvalidFree, Unknown, Pool, nameof(FreeManagedArrayWithPool),
            () => default, FreeManagedArrayWithPool, Nothing, NothingLeft),
        new("invalid-free-interior-small", MisuseKind.InvalidFree, Unknown, Raw, nameof(FreeInteriorWithRaw),
            () => LiveRaw(64), FreeInteriorWithRaw, FreeRawBlock, (v, _) => FreeRawBlock(v)),
        new("invalid-free-interior-large", MisuseKind.InvalidFree, Unknown, Pool, nameof(FreeInteriorWithPool),
            () => LivePool(LargeSize), FreeInteriorWithPool, FreePoolBlock, (v, _) => FreePoolBlock(v)),
        new("invalid-free-native-memory", MisuseKind.InvalidFree, Unknown, Raw, nameof(FreeForeignWithRaw),
            () => Foreign(64), FreeForeignWithRaw, FreeForeign, (v, _) => FreeForeign(v)),

        // Realloc of a freed block: refused, null returned.
        new("realloc-of-freed-small-pool", MisuseKind.ReallocOfFreed, Pool, Pool, nameof(ReallocWithPool),
            () => FreedPool(32), ReallocWithPool, Nothing, NothingLeft),
        new("realloc-of-freed-large-raw", MisuseKind.ReallocOfFreed, Raw, Raw, nameof(ReallocWithRaw),
            () => FreedRaw(LargeSize), ReallocWithRaw, Nothing, NothingLeft),

        // Realloc of a pointer no LeakScope heap handed out: refused, null returned.
        new("invalid-realloc-stack", MisuseKind.InvalidRealloc, Unknown, Raw, nameof(ReallocStackMemoryWithRaw),
            () => default, ReallocStackMemoryWithRaw, Nothing, NothingLeft),
        new("invalid-realloc-interior", MisuseKind.InvalidRealloc, Unknown, Pool, nameof(ReallocInteriorWithPool),
            () => LivePool(100), ReallocInteriorWithPool, FreePoolBlock, (v, _) => FreePoolBlock(v)),
        new("invalid-realloc-native-memory", MisuseKind.InvalidRealloc, Unknown, Pool, nameof(ReallocForeignWithPool),
            () => Foreign(64), ReallocForeignWithPool, FreeForeign, (v, _) => FreeForeign(v)),
    ];

    public static MisuseScenario? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    public static MisuseScenario Get(string name) =>
        Find(name) ?? throw new ArgumentException($"No misuse scenario is named '{name}'.", nameof(name));

    // Arrangements.
    private static Victim LiveRaw(nuint size) => new((nint)RawHeap.Malloc(size), 0);

    private static Victim LivePool(nuint size) => new((nint)PoolHeap.Malloc(size), 0);

    private static Victim FreedRaw(nuint size)
    {
        void* block = RawHeap.Malloc(size);
        RawHeap.Free(block);
        return new((nint)block, 0);
    }

    private static Victim FreedPool(nuint size)
    {
        void* block = PoolHeap.Malloc(size);
        PoolHeap.Free(block);
        return new((nint)block, 0);
    }

    private static Victim Foreign(nuint size) => new(0, ForeignMemory.Allocate(size));

    // The offending calls.
    private static nint FreeWithRaw(Victim victim)
    {
        RawHeap.Free((void*)victim.Block);
        return 0;
    }

    private static nint FreeWithPool(Victim victim)
    {
        PoolHeap.Free((void*)victim.Block);
        return 0;
    }

    private static nint ReallocWithRaw(Victim victim) => (nint)RawHeap.Realloc((void*)victim.Block, 96);

    private static nint ReallocWithPool(Victim victim) => (nint)PoolHeap.Realloc((void*)victim.Block, 96);

    private static nint FreeStackMemoryWithRaw(Victim victim)
    {
        byte* local = stackalloc byte[64];
        RawHeap.Free(local);
        return 0;
    }

    private static nint FreeManagedArrayWithPool(Victim victim)
    {
        byte[] array = new byte[64];
        fixed (byte* managed = array)
        {
            PoolHeap.Free(managed);
        }

        return 0;
    }

    private static nint FreeInteriorWithRaw(Victim victim)
    {
        RawHeap.Free((byte*)victim.Block + 16);
        return 0;
    }

    private static nint FreeInteriorWithPool(Victim victim)
    {
        PoolHeap.Free((byte*)victim.Block + 16);
        return 0;
    }

    private static nint FreeForeignWithRaw(Victim victim)
    {
        RawHeap.Free((void*)victim.Foreign);
        return 0;
    }

    private static nint ReallocStackMemoryWithRaw(Victim victim)
    {
        byte* local = stackalloc byte[64];
        return (nint)RawHeap.Realloc(local, 128);
    }

    private static nint ReallocInteriorWithPool(Victim victim) => (nint)PoolHeap.Realloc((byte*)victim.Block + 16, 200);

    private static nint ReallocForeignWithPool(Victim victim) => (nint)PoolHeap.Realloc((void*)victim.Foreign, 128);

    // Clean-ups.
    private static void FreeRawBlock(Victim victim) => RawHeap.Free((void*)victim.Block);

    private static void FreePoolBlock(Victim victim) => PoolHeap.Free((void*)victim.Block);

    private static void FreeForeign(Victim victim) => ForeignMemory.Free(victim.Foreign);

    private static void Nothing(Victim victim)
    {
    }

    private static void NothingLeft(Victim victim, nint reallocResult)
    {
    }
}
