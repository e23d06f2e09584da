using System.Diagnostics;
using System.Text;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using Microsoft.Diagnostics.Runtime;

namespace LeakScope.Tracer.Reachability;

/// <summary>
/// Reads a heap dump with ClrMD and builds the <see cref="ReachabilityGraph"/> of its native blocks and managed
/// objects (docs/reachability.md): object references; <c>IntPtr</c> / <c>nint</c> / <c>nuint</c> / pointer fields of
/// objects, of structs inside them and of array elements (so <c>NativeArray</c> / <c>NativeBuffer</c> storage counts);
/// statics of every loaded type, named as roots (<c>static Cache.Items</c>); GC handles and stack references; and every
/// 8-byte aligned word inside the live blocks themselves, conservatively, as LeakSanitizer scans. LeakScope's own
/// bookkeeping — the allocator's statics and its <c>Heaps</c> / <c>Diagnostics</c> types — never holds anything.
/// </summary>
internal sealed class HeapDumpReader
{
    private const string AllocatorAssembly = "LeakScope.Allocator";
    private static readonly string[] BookkeepingNamespaces = ["LeakScope.Allocator.Heaps.", "LeakScope.Allocator.Diagnostics."];

    private readonly IReadOnlyList<SnapshotBlock> _blocks;
    private readonly Func<int, string> _siteText;
    private readonly long[] _starts;
    private readonly long[] _ends;
    private readonly int[] _order;
    private readonly Dictionary<ulong, TypeLayout> _types = new();
    private readonly Dictionary<ulong, ClrType> _heapTypes = new();
    private ulong[] _objectAddresses = [];
    private (ulong MethodTable, TypeLayout Layout)? _lastLayout;
    private readonly Dictionary<int, string?> _threadNames = new();
    private ClrHeap? _heap;

    public HeapDumpReader(IReadOnlyList<SnapshotBlock> blocks, Func<int, string> siteText)
    {
        _blocks = blocks;
        _siteText = siteText;
        _order = Enumerable.Range(0, blocks.Count).Where(i => blocks[i].Size > 0).OrderBy(i => blocks[i].Address).ToArray();
        _starts = _order.Select(i => blocks[i].Address).ToArray();
        _ends = _order.Select(i => blocks[i].Address + blocks[i].Size).ToArray();
    }

    /// <summary>The target's memory mappings at the snapshot, in address order: a thread's stack ends where the mapping holding its stack pointer ends.</summary>
    public IReadOnlyList<AddressRange> Mappings { get; init; } = [];

    /// <summary>Where the reading's time went, phase by phase (the reachability bench prints it).</summary>
    public List<(string Phase, TimeSpan Time)> Phases { get; } = new();

    private readonly Stopwatch _phaseClock = new();

    private void Phase(string name)
    {
        Phases.Add((name, _phaseClock.Elapsed));
        _phaseClock.Restart();
    }

    /// <summary>Managed objects walked.</summary>
    public long Objects { get; private set; }

    /// <summary>Their bytes.</summary>
    public long ManagedBytes { get; private set; }

    /// <summary>Reads <paramref name="dumpPath"/> and classifies every block.</summary>
    public IReadOnlyList<BlockVerdict> Classify(string dumpPath)
    {
        using DataTarget target = DataTarget.LoadDump(dumpPath);
        if (target.ClrVersions.Length == 0)
        {
            throw new ReachabilityException($"the dump {dumpPath} holds no .NET runtime");
        }

        ClrInfo clr = target.ClrVersions[0];
        _phaseClock.Restart();
        using ClrRuntime runtime = CreateRuntime(target, clr);
        _heap = runtime.Heap;
        if (!_heap.CanWalkHeap)
        {
            throw new ReachabilityException("the managed heap in the dump cannot be walked (the dump was taken in the middle of a GC)");
        }

        ReachabilityGraph graph = Build(runtime, target.DataReader);
        BlockClass[] classes = ReachabilityClassifier.Classify(graph, ResolveLabel);
        Phase("classify");
        var verdicts = new BlockVerdict[_blocks.Count];
        for (int i = 0; i < _blocks.Count; i++)
        {
            verdicts[i] = new BlockVerdict(new AllocationId(_blocks[i].Id), classes[i].Reachability, classes[i].Path);
        }

        return verdicts;
    }

    /// <summary>The DAC beside the dump's <c>libcoreclr.so</c> (ClrMD cannot find it for a Linux dump), checked loosely: the dump reads its runtime version as 0.0.</summary>
    private static ClrRuntime CreateRuntime(DataTarget target, ClrInfo clr)
    {
        string? coreclr = target.EnumerateModules()
            .Select(m => m.FileName)
            .FirstOrDefault(f => f is not null && (f.EndsWith("/libcoreclr.so", StringComparison.Ordinal) || f.EndsWith("\\coreclr.dll", StringComparison.OrdinalIgnoreCase)));
        if (coreclr is not null)
        {
            string dac = Path.Combine(Path.GetDirectoryName(coreclr)!, OperatingSystem.IsWindows() ? "mscordaccore.dll" : "libmscordaccore.so");
            if (File.Exists(dac))
            {
                return clr.CreateRuntime(dac, ignoreMismatch: true);
            }
        }

        try
        {
            return clr.CreateRuntime();
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or ClrDiagnosticsException)
        {
            throw new ReachabilityException($"cannot read the runtime in the dump: {e.Message} (no libmscordaccore.so beside {coreclr ?? "libcoreclr.so"})", e);
        }
    }

    private ReachabilityGraph Build(ClrRuntime runtime, IDataReader memory)
    {
        ClrHeap heap = runtime.Heap;
        var graph = new ReachabilityGraph(_blocks.Count);

        // Nodes for the objects that can hold something (a reference or a pointer field); then their edges. Leaf
        // objects (strings, byte arrays, objects of only plain fields) can be on no path to a block: they are counted,
        // not kept, which is most of a large heap.
        var kept = new List<ulong>();
        foreach (ClrObject obj in heap.EnumerateObjects())
        {
            if (obj.IsFree || obj.Type is not { } type)
            {
                continue;
            }

            Objects++;
            ManagedBytes += (long)obj.Size;
            TypeLayout layout = LayoutOf(type);
            if (layout.Kept)
            {
                kept.Add(obj.Address);
            }

            // Thread names, for the stack roots' labels, come from the Thread objects.
            if (layout.IsThread && obj.TryReadField("_managedThreadId", out int threadId))
            {
                _threadNames[threadId] = obj.TryReadStringField("_name", null, out string? threadName) ? threadName : null;
            }
        }

        _objectAddresses = kept.ToArray();
        Array.Sort(_objectAddresses);
        for (int i = 0; i < _objectAddresses.Length; i++)
        {
            graph.AddObject();
        }

        Phase("objects");
        var bookkeeping = new HashSet<int>();
        AddStatics(runtime, graph, memory, bookkeeping);
        Phase("statics");

        foreach (ClrRoot root in heap.EnumerateRoots())
        {
            if (root.RootKind == ClrRootKind.FinalizerQueue || !TryNode(root.Object.Address, out int node) || bookkeeping.Contains(node))
            {
                continue;
            }

            graph.AddRoot(node, RootName(root));
        }

        Phase("roots");
        ScanThreadStacks(runtime, graph, memory);
        Phase("stacks");

        for (int i = 0; i < _objectAddresses.Length; i++)
        {
            int from = _blocks.Count + i;
            if (bookkeeping.Contains(from))
            {
                continue;
            }

            ClrObject obj = heap.GetObject(_objectAddresses[i]);
            if (obj.Type is not { } type)
            {
                continue;
            }

            TypeLayout layout = LayoutOf(type);
            if (type.ContainsPointers)
            {
                foreach (ulong reference in obj.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: false))
                {
                    if (TryNode(reference, out int to) && !bookkeeping.Contains(to))
                    {
                        graph.AddEdge(from, to);
                    }
                }
            }

            ScanPointerSlots(graph, memory, obj, layout, from);
        }

        Phase("edges");
        ScanBlocks(graph, memory);
        Phase("blocks");
        return graph;
    }

    /// <summary>Statics first (so paths name them): reference statics as roots; pointer statics as roots of blocks. The allocator's own statics mark its bookkeeping objects instead.</summary>
    private void AddStatics(ClrRuntime runtime, ReachabilityGraph graph, IDataReader memory, HashSet<int> bookkeeping)
    {
        ClrThread[] threads = runtime.Threads.Where(t => t.IsAlive).ToArray();
        foreach (ClrAppDomain domain in runtime.AppDomains)
        {
            var done = new HashSet<ulong>();
            foreach (ClrModule module in domain.Modules)
            {
                bool ours = IsOurs(module);
                foreach (ClrType type in SafeTypesWithStatics(module))
                {
                    if (done.Add(type.MethodTable))
                    {
                        AddStaticsOf(type, ours, domain, threads, graph, memory, bookkeeping);
                    }
                }
            }

            // Generic instantiations are not in any module's TypeDef map: those of the objects on the heap are found
            // here (an instantiation no object on the heap has is not).
            foreach (ClrType type in _heapTypes.Values)
            {
                if (type.Name is { } name && name.Contains('<', StringComparison.Ordinal) && !type.IsArray && done.Add(type.MethodTable))
                {
                    AddStaticsOf(type, type.Module is { } module && IsOurs(module), domain, threads, graph, memory, bookkeeping);
                }
            }
        }
    }

    /// <summary>A stack range larger than this is not a thread's stack (the mapping holding the stack pointer is something else): not scanned.</summary>
    private const ulong MaxStack = 64UL << 20;

    private static bool IsOurs(ClrModule module) =>
        string.Equals(Path.GetFileNameWithoutExtension(module.Name ?? module.AssemblyName ?? string.Empty), AllocatorAssembly, StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<ClrType> SafeTypesWithStatics(ClrModule module)
    {
        try
        {
            return module.EnumerateTypesWithStaticFields().ToArray();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            return [];
        }
    }

    /// <summary>One type's statics, and its thread statics on every live thread.</summary>
    private void AddStaticsOf(ClrType type, bool ours, ClrAppDomain domain, ClrThread[] threads, ReachabilityGraph graph, IDataReader memory, HashSet<int> bookkeeping)
    {
        string typeName = ShortName(type.Name ?? "?");
        foreach (ClrStaticField field in type.StaticFields)
        {
            if (SafeInitialized(field, domain))
            {
                AddStaticValue(field, () => SafeReadObject(field, domain), () => field.GetAddress(domain), $"static {typeName}.{field.Name}", ours, graph, memory, bookkeeping);
            }
        }

        foreach (ClrThreadStaticField field in type.ThreadStaticFields)
        {
            foreach (ClrThread thread in threads)
            {
                if (SafeInitialized(field, thread))
                {
                    AddStaticValue(field, () => SafeReadObject(field, thread), () => SafeAddress(field, thread), $"thread static {typeName}.{field.Name} ({ThreadName(thread)})", ours, graph, memory, bookkeeping);
                }
            }
        }
    }

    /// <summary>A static's value: a reference is a root (or, for the allocator's own, marks bookkeeping); a pointer, or a struct's pointer fields, root blocks.</summary>
    private void AddStaticValue(ClrField field, Func<ClrObject> readObject, Func<ulong> address, string name, bool ours, ReachabilityGraph graph, IDataReader memory, HashSet<int> bookkeeping)
    {
        if (field.IsObjectReference)
        {
            ClrObject value = readObject();
            if (!value.IsNull && TryNode(value.Address, out int node))
            {
                if (ours)
                {
                    MarkBookkeeping(value, bookkeeping);
                }
                else
                {
                    graph.AddRoot(node, name);
                }
            }
        }
        else if (!ours && IsPointer(field.ElementType))
        {
            ulong at = address();
            if (at != 0 && memory.ReadPointer(at, out ulong value))
            {
                AddPointerRoot(graph, (long)value, name);
            }
        }
        else if (!ours && field.ElementType == ClrElementType.Struct && field.Type is { } structType)
        {
            ulong at = address();
            if (at != 0)
            {
                foreach (PointerSlot slot in SlotsOf(structType, 0, 0))
                {
                    if (memory.ReadPointer(at + (ulong)slot.Offset, out ulong value))
                    {
                        AddPointerRoot(graph, (long)value, $"{name}.{slot.Path}");
                    }
                }
            }
        }
    }

    private string ThreadName(ClrThread thread) =>
        _threadNames.TryGetValue(thread.ManagedThreadId, out string? name) && name is not null
            ? $"thread {thread.ManagedThreadId} \"{name}\""
            : $"thread {thread.ManagedThreadId}";

    /// <summary>
    /// Live thread stacks, conservatively, as LeakSanitizer scans them: every aligned word from the thread's stack
    /// pointer (read from its register context in the dump) up to its stack base. The allocator's own threads
    /// ("LeakScope …": the snapshot and heartbeat threads, whose frames hold the block list being sent) are skipped.
    /// </summary>
    private void ScanThreadStacks(ClrRuntime runtime, ReachabilityGraph graph, IDataReader memory)
    {
        byte[] buffer = new byte[1 << 16];
        foreach (ClrThread thread in runtime.Threads)
        {
            if (!thread.IsAlive
                || (_threadNames.TryGetValue(thread.ManagedThreadId, out string? name) && name is not null && name.StartsWith("LeakScope ", StringComparison.Ordinal)))
            {
                continue;
            }

            ulong sp = StackPointer(memory, thread);
            ulong top = thread.StackBase != 0 ? thread.StackBase : MappingEnd(sp);
            if (sp == 0 || sp >= top || top - sp > MaxStack)
            {
                continue;
            }

            string label = $"stack of {ThreadName(thread)}";
            for (ulong at = sp & ~7UL; at < top; at += (ulong)buffer.Length)
            {
                int length = (int)Math.Min((ulong)buffer.Length, top - at);
                int read = memory.Read(at, buffer.AsSpan(0, length));
                for (int i = 0; i + 8 <= read; i += 8)
                {
                    AddPointerRoot(graph, BitConverter.ToInt64(buffer, i), label);
                }

                if (read < length)
                {
                    break;
                }
            }
        }
    }

    /// <summary>The end of the mapping holding <paramref name="address"/> (0: none known).</summary>
    private ulong MappingEnd(ulong address)
    {
        foreach (AddressRange range in Mappings)
        {
            if (address >= range.Start && address < range.End)
            {
                return range.End;
            }
        }

        return 0;
    }

    /// <summary>The thread's stack pointer from its register context in the dump (x64: Rsp; arm64: Sp); else its innermost frame's.</summary>
    private static ulong StackPointer(IDataReader memory, ClrThread thread)
    {
        Span<byte> context = stackalloc byte[4096];
        try
        {
            if (memory.GetThreadContext(thread.OSThreadId, 0, context))
            {
                ulong sp = memory.Architecture switch
                {
                    System.Runtime.InteropServices.Architecture.X64 => BitConverter.ToUInt64(context[0x98..]),
                    System.Runtime.InteropServices.Architecture.Arm64 => BitConverter.ToUInt64(context[0x100..]),
                    _ => 0,
                };
                if (sp != 0)
                {
                    return sp;
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or NotImplementedException)
        {
            // No context for this thread: fall back to its frames.
        }

        ulong lowest = 0;
        foreach (ClrStackFrame frame in thread.EnumerateStackTrace())
        {
            if (frame.StackPointer != 0 && (lowest == 0 || frame.StackPointer < lowest))
            {
                lowest = frame.StackPointer;
            }
        }

        return lowest;
    }

    private void MarkBookkeeping(ClrObject start, HashSet<int> bookkeeping)
    {
        var stack = new Stack<ClrObject>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            ClrObject obj = stack.Pop();
            if (!TryNode(obj.Address, out int node) || IsOwner(obj.Type) || !bookkeeping.Add(node))
            {
                continue;
            }

            if (obj.Type is { ContainsPointers: true })
            {
                foreach (ClrObject child in obj.EnumerateReferences(carefully: false, considerDependantHandles: false))
                {
                    stack.Push(child);
                }
            }
        }
    }

    private static bool IsOwner(ClrType? type) =>
        type?.Name is { } name && (name.StartsWith("LeakScope.Allocator.NativeArray<", StringComparison.Ordinal) || name.StartsWith("LeakScope.Allocator.NativeBuffer<", StringComparison.Ordinal));

    private static bool SafeInitialized(ClrStaticField field, ClrAppDomain domain)
    {
        try
        {
            return field.IsInitialized(domain);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            return false;
        }
    }

    private static bool SafeInitialized(ClrThreadStaticField field, ClrThread thread)
    {
        try
        {
            return field.IsInitialized(thread);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            return false;
        }
    }

    private static ClrObject SafeReadObject(ClrThreadStaticField field, ClrThread thread)
    {
        try
        {
            return field.ReadObject(thread);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            return default;
        }
    }

    private static ulong SafeAddress(ClrThreadStaticField field, ClrThread thread)
    {
        try
        {
            return field.GetAddress(thread);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            return 0;
        }
    }

    private static ClrObject SafeReadObject(ClrStaticField field, ClrAppDomain domain)
    {
        try
        {
            return field.ReadObject(domain);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            return default;
        }
    }

    private void AddPointerRoot(ReachabilityGraph graph, long value, string name)
    {
        int block = FindBlock(value, out bool interior);
        if (block >= 0)
        {
            graph.AddRoot(block, name, interior);
        }
    }

    private static string RootName(ClrRoot root) => root.RootKind switch
    {
        ClrRootKind.Stack => "stack",
        ClrRootKind.StrongHandle => "strong handle",
        ClrRootKind.PinnedHandle => "pinned handle",
        ClrRootKind.AsyncPinnedHandle => "async pinned handle",
        ClrRootKind.RefCountedHandle => "ref-counted handle",
        ClrRootKind.SizedRefHandle => "sized-ref handle",
        ClrRootKind.StaticVar => "static",
        ClrRootKind.ThreadStaticVar => "thread static",
        _ => root.RootKind.ToString(),
    };

    /// <summary>The node of the kept object at <paramref name="address"/>.</summary>
    private bool TryNode(ulong address, out int node)
    {
        int i = Array.BinarySearch(_objectAddresses, address);
        node = i >= 0 ? _blocks.Count + i : -1;
        return i >= 0;
    }

    /// <summary>What the walk needs of a type, computed once per method table: whether its objects are kept, and where their pointers are.</summary>
    private TypeLayout LayoutOf(ClrType type)
    {
        // Objects of one type often follow each other (a list's items): the last answer first.
        if (_lastLayout is { } last && last.MethodTable == type.MethodTable)
        {
            return last.Layout;
        }

        if (_types.TryGetValue(type.MethodTable, out TypeLayout? layout))
        {
            _lastLayout = (type.MethodTable, layout);
            return layout;
        }

        _heapTypes.TryAdd(type.MethodTable, type);
        bool bookkeeping = IsBookkeeping(type);
        PointerSlot[] slots = [];
        bool pointerElements = false;
        int componentSize = 0;
        if (type.IsArray)
        {
            if (type.ComponentType is { } element && !IsBookkeeping(element))
            {
                componentSize = type.ComponentSize;
                pointerElements = IsPointer(element.ElementType);
                if (!pointerElements && element.IsValueType && !element.IsPrimitive)
                {
                    slots = SlotsOf(element, 0, 0);
                }
            }
        }
        else if (!bookkeeping)
        {
            slots = SlotsOf(type, 0, 0);
        }

        bool isThread = type.Name == "System.Threading.Thread";
        layout = new TypeLayout(
            Kept: type.ContainsPointers || slots.Length > 0 || pointerElements || isThread,
            IsArray: type.IsArray,
            Slots: slots,
            PointerElements: pointerElements,
            ComponentSize: componentSize,
            IsThread: isThread);
        _types.Add(type.MethodTable, layout);
        _lastLayout = (type.MethodTable, layout);
        return layout;
    }

    /// <summary>Pointer-typed fields of the object (and of its structs), or of each array element, read in bulk for arrays.</summary>
    private void ScanPointerSlots(ReachabilityGraph graph, IDataReader memory, ClrObject obj, TypeLayout layout, int from)
    {
        if (layout.IsArray)
        {
            if (!layout.PointerElements && layout.Slots.Length == 0)
            {
                return;
            }

            int length = obj.AsArray().Length;
            if (length == 0 || layout.ComponentSize <= 0)
            {
                return;
            }

            ulong start = obj.Type!.GetArrayElementAddress(obj.Address, 0);
            long total = (long)length * layout.ComponentSize;
            byte[] buffer = _arrayBuffer;
            for (long offset = 0; offset < total; offset += buffer.Length)
            {
                // Whole elements per read, so an element's slots are always in the buffer.
                int chunk = (int)Math.Min(buffer.Length / layout.ComponentSize * layout.ComponentSize, total - offset);
                int read = memory.Read(start + (ulong)offset, buffer.AsSpan(0, chunk));
                for (int e = 0; e + layout.ComponentSize <= read; e += layout.ComponentSize)
                {
                    if (layout.PointerElements)
                    {
                        AddPointerEdge(graph, from, BitConverter.ToInt64(buffer, e), -1);
                        continue;
                    }

                    foreach (PointerSlot slot in layout.Slots)
                    {
                        AddPointerEdge(graph, from, BitConverter.ToInt64(buffer, e + slot.Offset), -1);
                    }
                }
            }

            return;
        }

        foreach (PointerSlot slot in layout.Slots)
        {
            // Instance field offsets count from the end of the method table pointer.
            if (memory.ReadPointer(obj.Address + (ulong)IntPtr.Size + (ulong)slot.Offset, out ulong value))
            {
                AddPointerEdge(graph, from, (long)value, -1);
            }
        }
    }

    private readonly byte[] _arrayBuffer = new byte[1 << 16];

    private static bool IsBookkeeping(ClrType type)
    {
        string? name = type.Name;
        return name is not null && BookkeepingNamespaces.Any(ns => name.Contains(ns, StringComparison.Ordinal));
    }

    private static bool IsPointer(ClrElementType type) =>
        type is ClrElementType.NativeInt or ClrElementType.NativeUInt or ClrElementType.Pointer or ClrElementType.FunctionPointer;

    /// <summary>Pointer slots of a type's instance fields, nested structs included, with their offsets from the field data's start.</summary>
    private static PointerSlot[] SlotsOf(ClrType type, int baseOffset, int depth)
    {
        var slots = new List<PointerSlot>();
        if (depth > 8)
        {
            return [];
        }

        foreach (ClrInstanceField field in type.Fields)
        {
            if (IsPointer(field.ElementType))
            {
                slots.Add(new PointerSlot(baseOffset + field.Offset, field.Name ?? "?"));
            }
            else if (field.ElementType == ClrElementType.Struct && field.Type is { } inner && !inner.IsPrimitive)
            {
                foreach (PointerSlot slot in SlotsOf(inner, baseOffset + field.Offset, depth + 1))
                {
                    slots.Add(slot with { Path = $"{field.Name}.{slot.Path}" });
                }
            }
        }

        return slots.ToArray();
    }

    private void AddPointerEdge(ReachabilityGraph graph, int from, long value, int label)
    {
        int block = FindBlock(value, out bool interior);
        if (block >= 0 && block != from)
        {
            graph.AddEdge(from, block, label, interior);
        }
    }

    /// <summary>Every aligned word of every live block, read from the dump (its private memory holds the native heaps).</summary>
    private void ScanBlocks(ReachabilityGraph graph, IDataReader memory)
    {
        byte[] buffer = new byte[1 << 16];
        for (int b = 0; b < _blocks.Count; b++)
        {
            SnapshotBlock block = _blocks[b];
            long start = (block.Address + 7) & ~7L;
            long end = block.Address + block.Size;
            for (long at = start; at + 8 <= end; at += buffer.Length)
            {
                int length = (int)Math.Min(buffer.Length, (end - at) & ~7L);
                int read = memory.Read((ulong)at, buffer.AsSpan(0, length));
                for (int i = 0; i + 8 <= read; i += 8)
                {
                    long value = BitConverter.ToInt64(buffer, i);
                    int target = FindBlock(value, out bool interior);
                    if (target >= 0 && target != b)
                    {
                        graph.AddEdge(b, target, graph.Label($"native block ({_siteText(block.Site)})[+{at - block.Address + i}]"), interior);
                    }
                }
            }
        }
    }

    /// <summary>The block holding <paramref name="address"/> (-1: none), and whether it points into its middle.</summary>
    private int FindBlock(long address, out bool interior)
    {
        interior = false;
        if (address == 0)
        {
            return -1;
        }

        int i = Array.BinarySearch(_starts, address);
        if (i >= 0)
        {
            return _order[i];
        }

        i = ~i - 1;
        if (i >= 0 && address < _ends[i])
        {
            interior = true;
            return _order[i];
        }

        return -1;
    }

    /// <summary>Names the place in <paramref name="from"/> that holds <paramref name="to"/>: <c>Holder.Ptr</c>, <c>Holder[]</c>.</summary>
    private string ResolveLabel(int from, int to)
    {
        Debug.Assert(_heap is not null, "labels are resolved while the dump is open");
        ulong address = _objectAddresses[from - _blocks.Count];
        ClrObject obj = _heap!.GetObject(address);
        string typeName = ShortName(obj.Type?.Name ?? "?");
        if (obj.Type is { IsArray: true })
        {
            return typeName;
        }

        if (to < _blocks.Count)
        {
            SnapshotBlock block = _blocks[to];
            PointerSlot[] slots = obj.Type is { } t && _types.TryGetValue(t.MethodTable, out TypeLayout? known) && !known.IsArray ? known.Slots : [];
            foreach (PointerSlot slot in slots)
            {
                if (_heap.Runtime.DataTarget.DataReader.ReadPointer(address + (ulong)IntPtr.Size + (ulong)slot.Offset, out ulong value)
                    && (long)value >= block.Address && (long)value < block.Address + Math.Max(1, block.Size))
                {
                    return $"{typeName}.{slot.Path}";
                }
            }

            return typeName;
        }

        ulong target = _objectAddresses[to - _blocks.Count];
        foreach (ClrReference reference in obj.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: false))
        {
            if (reference.Object.Address == target && reference.IsField && reference.Field is { } field)
            {
                return reference.InnerField is { IsField: true, Field: { } inner } ? $"{typeName}.{field.Name}.{inner.Name}" : $"{typeName}.{field.Name}";
            }
        }

        return typeName;
    }

    /// <summary><c>System.Collections.Generic.List&lt;Sample.Holder&gt;</c> → <c>List&lt;Holder&gt;</c>.</summary>
    internal static string ShortName(string name)
    {
        var result = new StringBuilder(name.Length);
        int tokenStart = 0;
        for (int i = 0; i <= name.Length; i++)
        {
            char c = i < name.Length ? name[i] : '\0';
            if (i == name.Length || c is '<' or '>' or ',' or '[' or ']' or ' ')
            {
                string token = name[tokenStart..i];
                int dot = token.LastIndexOf('.');
                result.Append(dot >= 0 ? token[(dot + 1)..] : token);
                if (i < name.Length)
                {
                    result.Append(c);
                }

                tokenStart = i + 1;
            }
        }

        return result.ToString();
    }

    private readonly record struct PointerSlot(int Offset, string Path);

    private sealed record TypeLayout(bool Kept, bool IsArray, PointerSlot[] Slots, bool PointerElements, int ComponentSize, bool IsThread);
}
