using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>
/// A protocol upgrade (RFC 9110 §7.8; WebSocket is the common one): the request goes to the upstream
/// with its Upgrade field, and when the upstream answers 101 the connection becomes a byte tunnel
/// between client and upstream until either closes or it stays idle too long.
/// </summary>
internal sealed partial class ClientConnection
{
    /// <summary>Whether a request asks to switch protocols: HTTP/1.1, no body, Connection: upgrade and an Upgrade field.</summary>
    private static bool AsksUpgrade(RequestHead request, BodyFraming framing) =>
        framing.Kind == BodyKind.None && request.Minor == 1 && request.HasConnection
        && request.HasToken("Connection"u8, "upgrade"u8) && request.Has("Upgrade"u8);

    /// <summary>
    /// Answers the client with the upstream's 101 and relays bytes both ways. A half-close is passed
    /// on; the tunnel ends when both sides have closed, when either fails, when nothing moved for
    /// <see cref="ProxyOptions.TunnelIdleTimeout"/>, or when the proxy stops.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> TunnelAsync(ResponseHead response, SocketBuffer upstream, string release)
    {
        response.TryGet("Upgrade"u8, out var protocol);
        _head.StartResponse(101, response.Reason);
        for (var i = 0; i < response.Count; i++)
            if (!HopHeaders.IsHop(response, i))
                _head.Header(response.Name(i), response.Value(i));
        _head.Header("Connection"u8, "Upgrade"u8).Header("Upgrade"u8, protocol).End();
        await _client.SendAsync(_head.Written, CancellationToken.None);
        _tunneling = true;
        if (_stopping.IsCancellationRequested)
            _timer.Cancel();
        Arm(options.TunnelIdleTimeout);
        // What either side sent after its head (early frames) is the first thing relayed.
        var up = PumpAsync(_client, upstream);
        var down = PumpAsync(upstream, _client);
        await up;
        return new Outcome(101, await down, release, KeepAlive: false);
    }

    /// <summary>
    /// Relays one direction of a tunnel; returns the bytes relayed, also when it ends by a failure or
    /// the idle timeout (the usual end of a tunnel), which is why it is not <see cref="BodyRelay"/>'s
    /// copy until close. A failure ends both directions.
    /// </summary>
    private async Task<long> PumpAsync(SocketBuffer from, SocketBuffer to)
    {
        long total = 0;
        try
        {
            while (from.Count > 0 || await from.FillAsync(_timer.Token) > 0)
            {
                Arm(options.TunnelIdleTimeout);
                total += from.Count;
                await to.SendAsync(from.Buffered, _timer.Token);
                from.Consume(from.Count);
            }
            // This side is done sending: so is the proxy, towards the other side, which may still answer.
            to.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is PeerException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            _timer.Cancel();
        }
        return total;
    }
}
