using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>Which side of the proxy a connection is on, so a failure is blamed on the right one.</summary>
internal enum Peer
{
    Client,
    Upstream,
}

/// <summary>A connection's side failed or closed in the middle of a message.</summary>
internal sealed class PeerException(Peer peer, string message, Exception? inner = null) : IOException(message, inner)
{
    public Peer Peer { get; } = peer;
}

/// <summary>The head of a message was larger than allowed.</summary>
internal sealed class HeadTooLargeException() : IOException("the message head is too large");

/// <summary>
/// Bytes read from one socket and not yet used: messages are read head first, then their bodies
/// are relayed from what is buffered and what follows. Pipelined requests stay in the buffer.
/// </summary>
internal sealed class SocketBuffer(Socket socket, Peer peer) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(8192);
    private int _start;
    private int _end;
    // An HTTPS client's connection is read and written through its TLS stream; every other one on the socket itself.
    private Stream? _stream;

    public Socket Socket { get; } = socket;

    /// <summary>From now on reads and writes go through <paramref name="stream"/> (the TLS session over the socket).</summary>
    public void UseStream(Stream stream) => _stream = stream;

    public Peer Peer { get; } = peer;

    public ReadOnlyMemory<byte> Buffered => _buffer.AsMemory(_start, _end - _start);

    public int Count => _end - _start;

    public void Consume(int count) => _start += count;

    /// <summary>Reads more from the socket; returns 0 at the end of the stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> FillAsync(CancellationToken ct)
    {
        if (_start == _end)
            _start = _end = 0;
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
        }
        try
        {
            var read = _stream is null
                ? await Socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct)
                : await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
            _end += read;
            return read;
        }
        catch (SocketException ex)
        {
            throw new PeerException(Peer, $"the {Describe()} connection failed: {ex.SocketErrorCode}", ex);
        }
        catch (IOException ex) when (ex is not PeerException)
        {
            throw new PeerException(Peer, $"the {Describe()} connection failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Reads until a whole head (ending in an empty line) is buffered and returns its length with the
    /// empty line, or 0 when the stream ended before any byte of a new message.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadHeadAsync(int maxBytes, CancellationToken ct)
    {
        var searched = 0;
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var at = span[Math.Max(0, searched - 3)..].IndexOf("\r\n\r\n"u8);
            if (at >= 0)
            {
                var length = Math.Max(0, searched - 3) + at + 4;
                return length <= maxBytes ? length : throw new HeadTooLargeException();
            }
            searched = span.Length;
            if (searched > maxBytes)
                throw new HeadTooLargeException();
            if (await FillAsync(ct) == 0)
            {
                if (Count == 0)
                    return 0;
                throw new PeerException(Peer, $"the {Describe()} closed the connection in the middle of a message head");
            }
        }
    }

    /// <summary>Sends all of <paramref name="bytes"/> to this buffer's socket.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        try
        {
            if (_stream is not null)
            {
                await _stream.WriteAsync(bytes, ct);
                return;
            }
            while (bytes.Length > 0)
            {
                var sent = await Socket.SendAsync(bytes, SocketFlags.None, ct);
                bytes = bytes[sent..];
            }
        }
        catch (SocketException ex)
        {
            throw new PeerException(Peer, $"the {Describe()} connection failed: {ex.SocketErrorCode}", ex);
        }
        catch (IOException ex) when (ex is not PeerException)
        {
            throw new PeerException(Peer, $"the {Describe()} connection failed: {ex.Message}", ex);
        }
    }

    private string Describe() => Peer == Peer.Client ? "client" : "upstream";

    public void Dispose()
    {
        _stream?.Dispose();
        Socket.Dispose();
        if (_buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
