// Planted cases for `leakscope trace --reachability` (docs/reachability.md): each block is allocated on a line marked
// `// REACH:<case>`, and the end-to-end test checks the verdict of each. Every planted block is zeroed (Calloc, or a
// zeroed NativeArray) so no stale bytes of the heap can look like a pointer.
using LeakScope.Allocator;
using LeakScope.Samples;

// `--managed-mb N`: first fill the managed heap with N MB of small objects (the bench of snapshot cost vs heap size).
int ballast = Array.IndexOf(args, "--managed-mb");
if (ballast >= 0 && ballast + 1 < args.Length)
{
    Ballast.Fill(long.Parse(args[ballast + 1], System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024);
}

Planted.Plant();
Planted.ClearStack();

// `--wait`: the cases only a running process has (attach mode, `leakscope snapshot`), then stay alive until a line
// arrives on stdin (the tracer attaches, snapshots, detaches).
if (args.Contains("--wait"))
{
    Planted.PlantRunning();
    Planted.ClearStack();
}

Console.WriteLine($"planted: {HeapStats.Capture().LiveBlocks} live blocks");
if (args.Contains("--wait"))
{
    Console.ReadLine();
    Planted.Release.Set();
}

namespace LeakScope.Samples
{
    /// <summary>Each case in a method of its own, so no frame of Main keeps a copy of a planted pointer (stacks are scanned).</summary>
    internal static class Planted
    {
        public static readonly ManualResetEventSlim Release = new();

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public static unsafe void Plant()
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
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static unsafe void Abandon()
        {
            var holder = new Holder { Ptr = (nint)RawHeap.Calloc(1, 56) }; // REACH:garbage
            GC.KeepAlive(holder);
        }

        /// <summary>Zeroes the stack below the caller, so no dead frame's copy of a planted pointer is left where a later call's live frame could keep it.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public static void ClearStack()
        {
            Span<byte> dead = stackalloc byte[64 * 1024];
            dead.Clear();
            GC.KeepAlive(dead.Length);
        }

        /// <summary>Roots a running process has: a live thread's stack, a thread static, a static of a generic instantiation.</summary>
        public static void PlantRunning()
        {
            using var ready = new CountdownEvent(2);

            // A block only a local of a blocked thread points to: retained, held by that thread's stack.
            var stackHolder = new Thread(() => HoldOnStack(ready)) { IsBackground = true, Name = "Reach stack holder" };
            stackHolder.Start();

            // A block in a thread static of a live thread: retained, held by the thread static on that thread.
            var threadStatic = new Thread(() =>
            {
                SetThreadStatic();
                ClearStack();
                ready.Signal();
                Release.Wait();
            }) { IsBackground = true, Name = "Reach thread-static holder" };
            threadStatic.Start();

            // A block in a static of a generic instantiation: retained, held by "static GenericRoots<Holder>.Block".
            SetGenericStatic();
            ready.Wait();
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static unsafe void HoldOnStack(CountdownEvent ready)
        {
            // In a stack slot (its address is taken), not only a register: the frame keeps it while the thread waits.
            nint* local = stackalloc nint[1];
            local[0] = (nint)RawHeap.Calloc(1, 72); // REACH:stack-local
            ready.Signal();
            Release.Wait();
            GC.KeepAlive(local[0]);
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static unsafe void SetThreadStatic() => ThreadRoots.Block = (nint)RawHeap.Calloc(1, 88); // REACH:thread-static

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static unsafe void SetGenericStatic()
        {
            GenericRoots<Holder>.Block = (nint)RawHeap.Calloc(1, 104); // REACH:generic-static
            Roots.Generic = new GenericRoots<Holder>();
        }
    }

    internal static class ThreadRoots
    {
        [ThreadStatic]
        public static nint Block;
    }

    /// <summary>A generic class with a pointer static; an instance on the heap lets the snapshot find the instantiation.</summary>
    internal sealed class GenericRoots<T>
    {
        public static nint Block;
    }

    internal static unsafe class Roots
    {
        public static nint Pointer;
        public static nint Overwritten;
        public static nint* Chain;
        public static NativeArray<int>? Array;
        public static byte* Interior;
        public static object? Generic;
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
