// Planted cases for `leakscope trace --reachability` (docs/reachability.md): each block is allocated on a line marked
// `// REACH:<case>`, and the end-to-end test checks the verdict of each. Every planted block is zeroed (Calloc, or a
// zeroed NativeArray) so no stale bytes of the heap can look like a pointer.
using LeakScope.Allocator;
using LeakScope.Samples;

// `--managed-mb N`: first fill the managed heap with N MB of small objects (the bench of snapshot cost vs heap size).
if (args is ["--managed-mb", var mb])
{
    Ballast.Fill(long.Parse(mb, System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024);
}

unsafe
{
    // A pointer in a static: retained, held by "static Roots.Pointer".
    Roots.Pointer = (nint)RawHeap.Calloc(1, 48); // REACH:static-pointer

    // A pointer in an object inside a static collection: retained, through the list's array.
    for (int i = 0; i < 3; i++)
    {
        Cache.Items.Add(new Holder { Ptr = (nint)RawHeap.Calloc(1, 64) }); // REACH:collection
    }

    // A pointer overwritten: nothing points to the block any more (unreferenced).
    Roots.Overwritten = (nint)RawHeap.Calloc(1, 80); // REACH:overwritten
    Roots.Overwritten = 0;

    // A chain of native blocks from a static: each one retained, the later ones through the blocks before them.
    nint* head = (nint*)RawHeap.Calloc(1, 32); // REACH:chain-head
    nint* middle = (nint*)RawHeap.Calloc(1, 32); // REACH:chain-middle
    nint* tail = (nint*)RawHeap.Calloc(1, 32); // REACH:chain-tail
    head[1] = (nint)middle;
    middle[2] = (nint)tail;
    Roots.Chain = head;

    // A cycle nobody else points to: both blocks indirect.
    nint* left = (nint*)RawHeap.Calloc(1, 40); // REACH:cycle
    nint* right = (nint*)RawHeap.Calloc(1, 40); // REACH:cycle-other
    left[0] = (nint)right;
    right[0] = (nint)left;

    // An owned array held in a static: retained, through the array's storage.
    Roots.Array = new NativeArray<int>(100); // REACH:owned-array

    // A pointer into the middle of a block, and nothing to its start: interior.
    Roots.Interior = (byte*)RawHeap.Calloc(1, 96) + 24; // REACH:interior

    // From here no collection may run, so the object nobody holds is still on the heap when the snapshot is taken.
    if (!GC.TryStartNoGCRegion(16 * 1024 * 1024))
    {
        throw new InvalidOperationException("no no-GC region");
    }

    // A pointer in an object nobody holds: held by garbage.
    Abandon();

    Console.WriteLine($"planted: {HeapStats.Capture().LiveBlocks} live blocks");

    // `--wait`: stay alive until a line arrives on stdin (attach mode: the tracer attaches, detaches, snapshots).
    if (args.Contains("--wait"))
    {
        Console.ReadLine();
    }
}

static unsafe void Abandon()
{
    var holder = new Holder { Ptr = (nint)RawHeap.Calloc(1, 56) }; // REACH:garbage
    GC.KeepAlive(holder);
}

namespace LeakScope.Samples
{
    internal static unsafe class Roots
    {
        public static nint Pointer;
        public static nint Overwritten;
        public static nint* Chain;
        public static NativeArray<int>? Array;
        public static byte* Interior;
    }

    internal static class Cache
    {
        public static readonly List<Holder> Items = new();
    }

    internal sealed class Holder
    {
        public nint Ptr;
    }

    internal static class Ballast
    {
        /// <summary>Live objects of 256 bytes, in lists of 4,096.</summary>
        public static readonly List<List<byte[]>> Objects = new();

        public static void Fill(long bytes)
        {
            for (long filled = 0; filled < bytes; filled += 4096L * 256)
            {
                var chunk = new List<byte[]>(4096);
                for (int i = 0; i < 4096; i++)
                {
                    chunk.Add(new byte[256 - 24]);
                }

                Objects.Add(chunk);
            }
        }
    }
}
