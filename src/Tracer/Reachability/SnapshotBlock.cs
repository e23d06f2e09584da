namespace LeakScope.Tracer.Reachability;

/// <summary>A live block as the allocator's heap walker reported it for a snapshot (src/Wire/SnapshotLayout.cs).</summary>
internal readonly record struct SnapshotBlock(long Id, long Address, long Size, int Site, byte Family);

/// <summary>A range of the target's address space, <c>[Start, End)</c>: one of its memory mappings.</summary>
internal readonly record struct AddressRange(ulong Start, ulong End);
