namespace LeakScope.Allocator;

/// <summary>An owner of native storage (<see cref="NativeArray{T}"/>, <see cref="NativeBuffer{T}"/>), as the rundown sees it.</summary>
internal interface IOwnedStorage
{
    /// <summary>A copy of the owner's storage record (its pointer read atomically).</summary>
    OwnedBlock Storage { get; }
}
