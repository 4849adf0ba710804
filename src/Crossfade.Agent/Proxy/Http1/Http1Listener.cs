using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>
/// The proxy's public port: accepts connections and runs each as a <see cref="ClientConnection"/>.
/// On stop it takes no new connections; each open one finishes the request it is in and closes,
/// waiting at most <see cref="ProxyOptions.StopTimeout"/>. A connection over the caps
/// (<see cref="ConnectionLimiter"/>) is reset as soon as it is accepted.
/// </summary>
public sealed class Http1Listener(
    Sites.SiteRouter router, AccessLogWriter accessLog, TimeProvider time, ProxyOptions options, ProxyCounters counters,
    Tls.ProxyCertificates? certificates = null, Tls.HttpsPort? https = null)
    : IHostedService
{
    private readonly ConnectionLimiter _limiter = new(options, counters);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp);
    private readonly Tls.HttpsPort _https = https ?? new(options.TlsPort);
    private readonly Dictionary<Task, ClientConnection> _connections = [];
    private readonly Lock _tlsLock = new();
    // The HTTPS port's socket, when there is one (the same relay behind a TLS session), and every accept loop started.
    private Socket? _tlsSocket;
    private bool _stopped;
    private readonly List<Task> _accepting = [];
    private ITimer? _heartbeat;

    /// <summary>The client connections open now.</summary>
    public int OpenConnections => _limiter.Open;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Listen(_socket, options.BindAddress, options.Port);
        _accepting.Add(AcceptLoopAsync(_socket, tls: false));
        if (_https.Port is { } port && MoveTls(port, starting: true) is { } problem)
            throw new IOException(problem);
        _heartbeat = time.CreateTimer(_ => Heartbeat(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Opens the HTTPS port on <paramref name="port"/> (null: closes it), then closes the one before: connections
    /// already open on it go on. Null when done, otherwise why not (nothing changed then).
    /// </summary>
    public string? MoveTls(int? port, bool starting = false)
    {
        lock (_tlsLock)
        {
            if (!starting && port == _https.Port)
                return null;
            if (_stopped)
                return "the proxy is stopping";
            Socket? next = null;
            if (port is { } p)
            {
                if (p is < 1 or > 65535 || p == options.Port || p == options.ControlPort)
                    return $"the HTTPS port must be 1..65535 and differ from the plain port ({options.Port}) and the control port, not {p}";
                next = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    Listen(next, options.TlsBindAddress ?? options.BindAddress, p);
                }
                catch (SocketException ex)
                {
                    next.Dispose();
                    return $"port {p} cannot be listened on: {ex.SocketErrorCode}";
                }
                _accepting.RemoveAll(t => t.IsCompleted);
                _accepting.Add(AcceptLoopAsync(next, tls: true));
            }
            var before = _tlsSocket;
            _tlsSocket = next;
            _https.Set(port);
            before?.Dispose();
            return null;
        }
    }

    private static void Listen(Socket socket, string bind, int port)
    {
        var address = IPAddress.Parse(bind);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            socket.DualMode = true;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(address, port));
        socket.Listen(1024);
    }

    /// <summary>Closes the connections past their deadline (idle too long, or an upstream too slow to answer).</summary>
    private void Heartbeat()
    {
        var now = Environment.TickCount64;
        lock (_connections)
            foreach (var connection in _connections.Values)
                connection.Check(now);
    }

    private async Task AcceptLoopAsync(Socket listener, bool tls)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection reset before it was taken: wait for the next one.
                continue;
            }
            // A connection that fails while it is set up (reset by now) is dropped; the loop goes on.
            try
            {
                Take(client, tls);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                client.Dispose();
            }
        }
    }

    private void Take(Socket client, bool tls)
    {
        var address = ClientConnection.AddressOf(client);
        if (!_limiter.TryEnter(address))
        {
            // A reset frees the socket at once, with no FIN_WAIT left behind for a flood.
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            return;
        }
        ClientConnection connection;
        try
        {
            client.NoDelay = true;
            connection = new ClientConnection(client, address, router, accessLog, time, options, counters, tls ? certificates : null, _https);
        }
        catch
        {
            _limiter.Leave(address);
            throw;
        }
        // Registered under the lock before its removal can run, however fast the connection ends.
        lock (_connections)
        {
            // The accept loop's execution context is not carried into every socket completion.
            Task running;
            using (ExecutionContext.SuppressFlow())
                running = Task.Run(() => connection.RunAsync(_stopping.Token));
            _connections.Add(running, connection);
            _ = running.ContinueWith(t =>
            {
                _limiter.Leave(address);
                lock (_connections)
                    _connections.Remove(t);
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _socket.Dispose();
        lock (_tlsLock)
        {
            _stopped = true;
            _tlsSocket?.Dispose();
        }
        _heartbeat?.Dispose();
        Task[] open;
        lock (_connections)
            open = [.. _connections.Keys];
        // Idle connections close at once; busy ones finish the request they are in.
        await _stopping.CancelAsync();
        await Task.WhenAny(Task.WhenAll(open), Task.Delay(options.StopTimeout, time, cancellationToken));
        Task[] accepting;
        lock (_tlsLock)
            accepting = [.. _accepting];
        await Task.WhenAll(accepting);
    }
}
