namespace LeakScope.Tracer.Sessions;

/// <summary>
/// Passes a session's event stream through to the reader and copies every byte to a file: the bytes of
/// an EventPipe stream are a <c>.nettrace</c> file, so the recording replays through the same path. A copy that
/// fails (a full disk) stops copying and keeps the error in <see cref="CopyError"/>: the trace and its report go on.
/// </summary>
internal sealed class RecordingStream(Stream inner, Stream copy) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = inner.Read(buffer);
        if (read > 0 && CopyError is null)
        {
            try
            {
                copy.Write(buffer[..read]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                CopyError = e.Message;
            }
        }

        return read;
    }

    /// <summary>Why the recording is incomplete (the first write error), or null while every byte was copied.</summary>
    public string? CopyError { get; private set; }

    public override void Flush() => Copy(copy.Flush);

    private void Copy(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            CopyError ??= e.Message;
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private bool _disposed;

    protected override void Dispose(bool disposing)
    {
        // TraceEvent disposes the stream it reads, and the session disposes it again: only the first counts.
        if (disposing && !_disposed)
        {
            _disposed = true;
            if (CopyError is null)
            {
                Copy(copy.Flush);
            }

            Copy(copy.Dispose);
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
