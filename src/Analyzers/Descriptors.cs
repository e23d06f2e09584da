using Microsoft.CodeAnalysis;

namespace LeakScope.Analyzers;

/// <summary>Every diagnostic the LeakScope compiler extensions report (docs/interception.md lists them).</summary>
internal static class Descriptors
{
    public const string Category = "LeakScope.Usage";

    public static readonly DiagnosticDescriptor MismatchedFree = new(
        id: "LS0001",
        title: "Block freed by another family than allocated it",
        messageFormat: "'{0}' frees a block allocated by {1} at line {2}: free it with {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A native block must be freed by the function of the family that allocated it. On Linux NativeMemory, Marshal.AllocHGlobal and Marshal.AllocCoTaskMem all use malloc, so a cross-family free works there — and corrupts the heap on Windows; RawHeap and PoolHeap blocks are never interchangeable.");

    public static readonly DiagnosticDescriptor ResizeWhileViewed = new(
        id: "LS0002",
        title: "Buffer resized while a view of it is outstanding",
        messageFormat: "'{0}' resizes '{1}' while the view acquired at line {2} is not yet disposed: it throws BufferBusyException",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "NativeBuffer<T>.Resize and Append are refused while a view acquired from the buffer is outstanding (the buffer protocol's rule). Dispose the view first, or resize before acquiring it.");

    public static readonly DiagnosticDescriptor UndisposedOwner = new(
        id: "LS0003",
        title: "Native owner or view never disposed",
        messageFormat: "'{0}' ({1}) is never disposed: its native memory is reclaimed by the finalizer, if ever — use 'using'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A NativeArray, NativeBuffer or buffer view created into a local that the member only reads from is never disposed: the array or buffer is left to the finalizer (an owner-finalized finding), a view keeps its buffer busy. Reported only when the local is not returned, passed, stored or captured.");

    public static readonly DiagnosticDescriptor InterceptionWithoutAllocator = new(
        id: "LS0100",
        title: "LeakScopeIntercept is on but LeakScope.Allocator is not referenced",
        messageFormat: "LeakScopeIntercept is true but the project does not reference LeakScope.Allocator's TrackedNativeMemory/TrackedMarshal: no call is intercepted",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true);
}
