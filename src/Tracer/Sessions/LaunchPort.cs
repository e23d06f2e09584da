using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// The reverse diagnostic port a launched command is started on (<c>DOTNET_DiagnosticPorts=path</c>: every .NET runtime
/// in the command's process tree inherits it, connects, and waits suspended for a <c>ResumeRuntime</c>). The first
/// runtime to connect is the one traced (<see cref="FirstRuntimeAsync"/>); the tracer resumes it after its session
/// started. Every later runtime — a .NET child of the target, or the second program of <c>sh -c "a; b"</c> — is
/// resumed at once, untraced, so children run normally instead of hanging at startup. Connections are held open
/// (an idle connection is how a connected runtime waits for commands) until the port is disposed.
/// </summary>
/// <remarks>
/// The protocol is the runtime's diagnostic IPC (https://github.com/dotnet/diagnostics/blob/main/documentation/design-docs/ipc-protocol.md): a
/// runtime that connects first sends a 34-byte advertisement (<c>ADVR_V1\0</c>, its 16-byte instance cookie, its
/// pid as a uint64, 2 reserved bytes); a command is a 20-byte header (<c>DOTNET_IPC_V1\0</c>, uint16 total size,
/// command set, command id, uint16 reserved), answered by a header and a 4-byte result.
/// </remarks>
internal sealed class LaunchPort : IAsyncDisposable
{
    private const int AdvertisementSize = 34;
    private static readonly byte[] AdvertisementMagic = Encoding.ASCII.GetBytes("ADVR_V1\0");
    private static readonly byte[] ResumeRuntime = ResumeRuntimeCommand();

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<int> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Socket> _held = new();
    private Socket? _firstConnection;
    private readonly HashSet<int> _resumed = new();
    private readonly Task _accepting;

    public LaunchPort(string path)
    {
        Path = path;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(16);
        _accepting = Task.Run(AcceptAsync);
    }

    public string Path { get; }

    /// <summary>Runtimes resumed untraced so far (children of the traced process, or later programs of the command).</summary>
    public int OthersResumed { get; private set; }

    /// <summary>The pid of the first runtime that connected: the one to trace. It stays suspended until the tracer resumes it.</summary>
    public Task<int> FirstRuntimeAsync(CancellationToken cancellationToken) => _first.Task.WaitAsync(cancellationToken);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                break;
            }

            _ = Task.Run(() => ServeAsync(connection));
        }

        _first.TrySetCanceled();
    }

    private async Task ServeAsync(Socket connection)
    {
        try
        {
            byte[] advertisement = new byte[AdvertisementSize];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await ReadExactlyAsync(connection, advertisement, timeout.Token).ConfigureAwait(false);
            if (!advertisement.AsSpan(0, AdvertisementMagic.Length).SequenceEqual(AdvertisementMagic))
            {
                connection.Dispose();
                return;
            }

            int pid = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(advertisement.AsSpan(24, 8)));
            bool resume;
            lock (_held)
            {
                bool first = _first.TrySetResult(pid);
                resume = !first && pid != _first.Task.Result && _resumed.Add(pid);
                if (first)
                {
                    _firstConnection = connection;
                }
                else if (resume)
                {
                    OthersResumed++;
                }
                else
                {
                    // The traced runtime's connection, or a resumed runtime reconnecting: hold it, idle.
                    _held.Add(connection);
                }
            }

            if (resume)
            {
                using (connection)
                {
                    await SendResumeAsync(connection, timeout.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or EndOfStreamException or OverflowException)
        {
            // A runtime that went away mid-handshake, or the port closing: nothing to resume.
            connection.Dispose();
        }
    }

    /// <summary>
    /// Resumes the traced runtime (after its session started). The resume must come over this port: a suspended
    /// runtime waits until every port it was told to suspend on has resumed it, and its default socket is not one.
    /// </summary>
    public async Task ResumeFirstAsync(CancellationToken cancellationToken)
    {
        Socket connection;
        lock (_held)
        {
            connection = _firstConnection ?? throw new InvalidOperationException("no runtime connected yet");
            _firstConnection = null;
        }

        using (connection)
        {
            await SendResumeAsync(connection, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task SendResumeAsync(Socket connection, CancellationToken cancellationToken)
    {
        await connection.SendAsync(ResumeRuntime, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        byte[] response = new byte[24];
        await ReadExactlyAsync(connection, response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            buffer = buffer[read..];
        }
    }

    private static byte[] ResumeRuntimeCommand()
    {
        const int HeaderSize = 20;
        const byte ProcessCommandSet = 0x04;
        const byte ResumeRuntimeId = 0x01;
        byte[] command = new byte[HeaderSize];
        Encoding.ASCII.GetBytes("DOTNET_IPC_V1\0").CopyTo(command, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(command.AsSpan(14), HeaderSize);
        command[16] = ProcessCommandSet;
        command[17] = ResumeRuntimeId;
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        lock (_held)
        {
            foreach (Socket socket in _held)
            {
                socket.Dispose();
            }

            _held.Clear();
            _firstConnection?.Dispose();
        }

        _stop.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // A socket we could not remove is only litter in the temp directory.
        }
    }
}
