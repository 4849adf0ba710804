using System.Net;
using System.Net.Sockets;

namespace Crossfade.Load;

/// <summary>
/// A loopback TCP relay that stands for the network between an agent and the server: it forwards
/// bytes both ways until it is cut, which resets every connection and refuses new ones, as a severed
/// link would; restoring it accepts connections again.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly int _target;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private CancellationTokenSource _cut = new();

    public TcpRelay(int targetPort)
    {
        _target = targetPort;
        Port = Crossfade.Agent.Instances.FreePorts.Next();
        Restore();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public void Restore()
    {
        _cut = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _ = AcceptAsync(_listener, _cut.Token);
    }

    /// <summary>Severs the link: open connections are reset, new ones refused.</summary>
    public void Cut()
    {
        _cut.Cancel();
        _listener?.Stop();
        lock (_lock)
        {
            foreach (var client in _open)
            {
                // Linger 0 makes close send RST: the agent sees its connection reset, not a clean end.
                // A connection that ended meanwhile (its socket disposed by its pump) is closed already.
                try
                {
                    if (client.Client is { } socket)
                        socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
                {
                }
                client.Close();
            }
            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cut)
    {
        while (!cut.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(cut);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = PipeAsync(inbound, cut);
        }
    }

    private async Task PipeAsync(TcpClient inbound, CancellationToken cut)
    {
        var outbound = new TcpClient();
        lock (_lock)
        {
            _open.Add(inbound);
            _open.Add(outbound);
        }
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _target, cut);
            await Task.WhenAny(
                inbound.GetStream().CopyToAsync(outbound.GetStream(), cut),
                outbound.GetStream().CopyToAsync(inbound.GetStream(), cut));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            inbound.Close();
            outbound.Close();
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
