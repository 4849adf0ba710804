using System.Net;
using System.Net.Sockets;
using Crossfade.Agent.Proxy.Http1;

namespace Crossfade.Agent.Proxy;

/// <summary>
/// An upstream (one app instance) and the idle keep-alive connections to it. Its address never
/// changes; a swap makes a new snapshot, and disposing the old one closes its idle connections.
/// </summary>
public sealed class UpstreamSnapshot : IDisposable
{
    private const int MaxIdle = 256;
    private static readonly TimeSpan IdleFor = TimeSpan.FromSeconds(4);
    // Most recently used on top; a plain stack under a lock, so keeping a connection allocates nothing.
    private readonly Stack<(SocketBuffer Connection, long IdleSince)> _idle = new(MaxIdle);
    private readonly EndPoint _endPoint;
    private readonly TimeSpan _connectTimeout;
    private int _inFlight;
    private bool _disposed;

    public UpstreamSnapshot(Uri baseUri, string release, TimeSpan connectTimeout)
    {
        BaseUri = baseUri;
        Release = release;
        _connectTimeout = connectTimeout;
        _endPoint = IPAddress.TryParse(baseUri.Host, out var ip) ? new IPEndPoint(ip, baseUri.Port) : new DnsEndPoint(baseUri.Host, baseUri.Port);
    }

    public Uri BaseUri { get; }

    public string Release { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// An idle connection, or null when there is none. With <paramref name="check"/>, one the upstream
    /// closed meanwhile (readable, at its end) is thrown away first: for a request that could not be
    /// sent again. Without, a closed one shows when the request is sent, and the request goes again.
    /// </summary>
    internal SocketBuffer? TakeIdle(bool check)
    {
        while (Pop() is { } idle)
        {
            var fresh = Environment.TickCount64 - idle.IdleSince < IdleFor.TotalMilliseconds;
            if (fresh && idle.Connection.Count == 0 && !(check && idle.Connection.Socket.Poll(0, SelectMode.SelectRead)))
                return idle.Connection;
            idle.Connection.Dispose();
        }
        return null;
    }

    internal async Task<SocketBuffer> ConnectAsync(CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_connectTimeout);
        try
        {
            await socket.ConnectAsync(_endPoint, timeout.Token);
            return new SocketBuffer(socket, Peer.Upstream);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            throw new PeerException(Peer.Upstream, ex is SocketException s ? $"could not connect: {s.SocketErrorCode}" : "could not connect in time", ex);
        }
    }

    /// <summary>Keeps a connection whose last answer ended cleanly for the next request.</summary>
    internal void Return(SocketBuffer connection)
    {
        lock (_idle)
        {
            if (!_disposed && _idle.Count < MaxIdle)
            {
                _idle.Push((connection, Environment.TickCount64));
                return;
            }
        }
        connection.Dispose();
    }

    private (SocketBuffer Connection, long IdleSince)? Pop()
    {
        lock (_idle)
            return _idle.TryPop(out var idle) ? idle : null;
    }

    public void Dispose()
    {
        lock (_idle)
            _disposed = true;
        while (Pop() is { } idle)
            idle.Connection.Dispose();
    }
}
