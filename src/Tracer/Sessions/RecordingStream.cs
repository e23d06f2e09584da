namespace LeakScope.Tracer.Sessions;

/// <summary>
/// Passes a session's event stream through to the reader and copies every byte to a file: the bytes of
/// an EventPipe stream are a <c>.nettrace</c> file, so the recording replays through the same path.
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
        if (read > 0)
        {
            copy.Write(buffer[..read]);
        }

        return read;
    }

    public override void Flush() => copy.Flush();

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
            copy.Flush();
            copy.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
