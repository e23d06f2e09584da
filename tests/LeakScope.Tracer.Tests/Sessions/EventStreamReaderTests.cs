using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Sessions;
using Microsoft.Diagnostics.Tracing;

namespace LeakScope.Tracer.Tests.Sessions;

/// <summary>
/// Only a stream that cannot be read or parsed is a broken stream (incomplete for a live session, unreadable for a
/// file). An exception from the tracer's own code is an internal error and must surface with its message, never be
/// turned into an incomplete report.
/// </summary>
public class EventStreamReaderTests
{
    [Fact]
    public void A_connection_that_fails_mid_read_is_a_broken_live_stream_and_an_unreadable_file()
    {
        var live = new EventStreamReader(AnalysisOptions.Default);
        live.Read(new FailingStream(new IOException("connection reset")), live: true);
        Assert.True(live.StreamBroken);

        var file = new EventStreamReader(AnalysisOptions.Default);
        Assert.Throws<TraceUnreadableException>(() => file.Read(new FailingStream(new IOException("disk gone")), live: false));
    }

    [Fact]
    public void What_TraceEvent_throws_on_a_corrupt_stream_is_a_stream_failure()
    {
        byte[] corrupt = [.. "Nettrace"u8, 0x14, 0, 0, 0, .. "!FastSerialization.1"u8, .. Enumerable.Repeat((byte)0xEE, 4096)];
        Exception thrown = Assert.ThrowsAny<Exception>(() =>
        {
            using var source = new EventPipeEventSource(new MemoryStream(corrupt));
            source.Process();
        });

        Assert.True(EventStreamReader.IsStreamFailure(thrown), thrown.ToString());
    }

    [Fact]
    public void An_exception_thrown_by_the_engine_is_an_internal_error()
    {
        // Thrown inside the engine, and inside the decoder handing a record to its sink: both are the tracer's own.
        Exception engine = Assert.ThrowsAny<Exception>(() => new AnalysisEngine().Finish(null!));
        Exception decoder = Assert.ThrowsAny<Exception>(() => new RecordDecoder(null!).DecodeBatch(2, [5, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 64, 1, 1]));

        Assert.False(EventStreamReader.IsStreamFailure(engine), engine.ToString());
        Assert.False(EventStreamReader.IsStreamFailure(decoder), decoder.ToString());
    }

    /// <summary>Fails on the first read, as a dropped connection or a bug would.</summary>
    private sealed class FailingStream(Exception failure) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            throw failure;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
