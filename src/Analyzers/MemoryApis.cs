using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace LeakScope.Analyzers;

/// <summary>The families of native memory the analyzers and the interception generator know (wire values: <c>WireFamily</c>).</summary>
internal enum MemoryFamily
{
    Unknown = 0,
    Raw = 1,
    Pool = 2,
    Native = 3,
    Aligned = 4,
    HGlobal = 5,
    CoTaskMem = 6,
}

internal enum MemoryRole
{
    Allocate,
    Reallocate,
    Free,
}

/// <summary>One allocation, reallocation or free method of a family, and the tracked method that stands in for it.</summary>
internal sealed class MemoryApi
{
    public MemoryApi(string containingType, string name, MemoryFamily family, MemoryRole role, string? trackedType)
    {
        ContainingType = containingType;
        Name = name;
        Family = family;
        Role = role;
        TrackedType = trackedType;
    }

    /// <summary>Metadata name of the declaring type.</summary>
    public string ContainingType { get; }

    public string Name { get; }

    public MemoryFamily Family { get; }

    public MemoryRole Role { get; }

    /// <summary>The LeakScope type whose same-named method the generator routes calls to; null when not intercepted.</summary>
    public string? TrackedType { get; }
}

/// <summary>The table of every method the LS analyzers and the interception generator recognise.</summary>
internal static class MemoryApis
{
    public const string NativeMemory = "System.Runtime.InteropServices.NativeMemory";
    public const string Marshal = "System.Runtime.InteropServices.Marshal";
    public const string RawHeap = "LeakScope.Allocator.RawHeap";
    public const string PoolHeap = "LeakScope.Allocator.PoolHeap";
    public const string TrackedNativeMemory = "LeakScope.Allocator.TrackedNativeMemory";
    public const string TrackedMarshal = "LeakScope.Allocator.TrackedMarshal";

    private static readonly Dictionary<(string Type, string Name), MemoryApi> s_byName = Build();

    /// <summary>The names of every known method, for a syntax-only first filter.</summary>
    public static readonly HashSet<string> Names = new(Collect());

    public static MemoryApi? Find(IMethodSymbol? method)
    {
        if (method is null || !method.IsStatic || method.ContainingType is null)
        {
            return null;
        }

        return s_byName.TryGetValue((method.ContainingType.ToDisplayString(), method.Name), out MemoryApi? api) ? api : null;
    }

    /// <summary>True when a family's free takes a pointer (<c>void*</c>), false when it takes an <c>nint</c> (Marshal).</summary>
    public static bool TakesPointer(MemoryFamily family) => family is not (MemoryFamily.HGlobal or MemoryFamily.CoTaskMem);

    /// <summary>
    /// The free method of a family, as (type, name), or null for an unknown family. <paramref name="tracked"/>: name the
    /// <c>TrackedNativeMemory</c> / <c>TrackedMarshal</c> member instead of the system one.
    /// </summary>
    public static (string Type, string Name)? FreeOf(MemoryFamily family, bool tracked = false)
    {
        (string Type, string Name)? free = SystemFreeOf(family);
        if (tracked && free is { } f)
        {
            return (f.Type == NativeMemory ? TrackedNativeMemory : f.Type == Marshal ? TrackedMarshal : f.Type, f.Name);
        }

        return free;
    }

    private static (string Type, string Name)? SystemFreeOf(MemoryFamily family) => family switch
    {
        MemoryFamily.Raw => (RawHeap, "Free"),
        MemoryFamily.Pool => (PoolHeap, "Free"),
        MemoryFamily.Native => (NativeMemory, "Free"),
        MemoryFamily.Aligned => (NativeMemory, "AlignedFree"),
        MemoryFamily.HGlobal => (Marshal, "FreeHGlobal"),
        MemoryFamily.CoTaskMem => (Marshal, "FreeCoTaskMem"),
        _ => null,
    };

    /// <summary>What a user reads for a family in a diagnostic.</summary>
    public static string Describe(MemoryFamily family) => family switch
    {
        MemoryFamily.Raw => "RawHeap",
        MemoryFamily.Pool => "PoolHeap",
        MemoryFamily.Native => "NativeMemory.Alloc",
        MemoryFamily.Aligned => "NativeMemory.AlignedAlloc",
        MemoryFamily.HGlobal => "Marshal.AllocHGlobal",
        MemoryFamily.CoTaskMem => "Marshal.AllocCoTaskMem",
        _ => "an unknown allocator",
    };

    private static IEnumerable<string> Collect()
    {
        foreach (var key in s_byName.Keys)
        {
            yield return key.Name;
        }
    }

    private static Dictionary<(string, string), MemoryApi> Build()
    {
        var apis = new List<MemoryApi>();
        void Add(string type, string name, MemoryFamily family, MemoryRole role, string? tracked) => apis.Add(new MemoryApi(type, name, family, role, tracked));

        foreach (string type in new[] { NativeMemory, TrackedNativeMemory })
        {
            string? tracked = type == NativeMemory ? TrackedNativeMemory : null;
            Add(type, "Alloc", MemoryFamily.Native, MemoryRole.Allocate, tracked);
            Add(type, "AllocZeroed", MemoryFamily.Native, MemoryRole.Allocate, tracked);
            Add(type, "Realloc", MemoryFamily.Native, MemoryRole.Reallocate, tracked);
            Add(type, "Free", MemoryFamily.Native, MemoryRole.Free, tracked);
            Add(type, "AlignedAlloc", MemoryFamily.Aligned, MemoryRole.Allocate, tracked);
            Add(type, "AlignedRealloc", MemoryFamily.Aligned, MemoryRole.Reallocate, tracked);
            Add(type, "AlignedFree", MemoryFamily.Aligned, MemoryRole.Free, tracked);
        }

        foreach (string type in new[] { Marshal, TrackedMarshal })
        {
            string? tracked = type == Marshal ? TrackedMarshal : null;
            Add(type, "AllocHGlobal", MemoryFamily.HGlobal, MemoryRole.Allocate, tracked);
            Add(type, "ReAllocHGlobal", MemoryFamily.HGlobal, MemoryRole.Reallocate, tracked);
            Add(type, "FreeHGlobal", MemoryFamily.HGlobal, MemoryRole.Free, tracked);
            Add(type, "AllocCoTaskMem", MemoryFamily.CoTaskMem, MemoryRole.Allocate, tracked);
            Add(type, "ReAllocCoTaskMem", MemoryFamily.CoTaskMem, MemoryRole.Reallocate, tracked);
            Add(type, "FreeCoTaskMem", MemoryFamily.CoTaskMem, MemoryRole.Free, tracked);
        }

        foreach ((string type, MemoryFamily family) in new[] { (RawHeap, MemoryFamily.Raw), (PoolHeap, MemoryFamily.Pool) })
        {
            Add(type, "Malloc", family, MemoryRole.Allocate, null);
            Add(type, "Calloc", family, MemoryRole.Allocate, null);
            Add(type, "Realloc", family, MemoryRole.Reallocate, null);
            Add(type, "Free", family, MemoryRole.Free, null);
        }

        var byName = new Dictionary<(string, string), MemoryApi>();
        foreach (MemoryApi api in apis)
        {
            byName[(api.ContainingType, api.Name)] = api;
        }

        return byName;
    }
}
