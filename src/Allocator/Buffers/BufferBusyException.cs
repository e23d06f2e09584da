namespace LeakScope.Allocator;

/// <summary>
/// Thrown when a <see cref="NativeBuffer{T}"/> is resized or appended to while views of it are outstanding
/// (the buffer protocol forbids it: the views would point at freed memory). The message names every
/// outstanding view with the site that acquired it; <see cref="OutstandingViews"/> has the same as data.
/// This is a refused request, not heap misuse: nothing was changed and the misuse count is not touched.
/// </summary>
public sealed class BufferBusyException : InvalidOperationException
{
    internal BufferBusyException(string message, long ownerId, long requestedLength, IReadOnlyList<OutstandingView> outstandingViews)
        : base(message)
    {
        OwnerId = ownerId;
        RequestedLength = requestedLength;
        OutstandingViews = outstandingViews;
    }

    /// <summary>The buffer's owner id, as its events carry it.</summary>
    public long OwnerId { get; }

    /// <summary>The length in elements the refused resize or append asked for.</summary>
    public long RequestedLength { get; }

    /// <summary>Every view outstanding at the time, in the order they were acquired.</summary>
    public IReadOnlyList<OutstandingView> OutstandingViews { get; }
}
