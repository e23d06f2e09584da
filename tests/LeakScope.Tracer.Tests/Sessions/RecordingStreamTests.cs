using LeakScope.Tracer.Sessions;

namespace LeakScope.Tracer.Tests.Sessions;

/// <summary>A recording that cannot be written (a full disk) must not cost the trace: the stream passes through, the error is kept.</summary>
public class RecordingStreamTests
{
    [Fact]
    public void A_full_disk_stops_the_copy_keeps_the_error_and_passes_every_byte_through()
    {
        byte[] events = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
        using var recording = new RecordingStream(new MemoryStream(events), full);

        using var read = new MemoryStream();
        recording.CopyTo(read, 4096);
        recording.Dispose();

        Assert.Equal(events, read.ToArray());
        Assert.NotNull(recording.CopyError);
    }

    [Fact]
    public void A_writable_copy_gets_every_byte()
    {
        byte[] events = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
        var copy = new MemoryStream();
        using var recording = new RecordingStream(new MemoryStream(events), copy);

        recording.CopyTo(Stream.Null, 1000);

        Assert.Equal(events, copy.ToArray());
        Assert.Null(recording.CopyError);
    }
}
