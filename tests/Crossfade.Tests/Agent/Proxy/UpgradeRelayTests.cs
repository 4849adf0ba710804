using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>WebSockets (and any protocol upgrade) through the proxy's relay, against a real Kestrel upstream.</summary>
public sealed class UpgradeRelayTests : IAsyncLifetime
{
    private TestProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _proxy = await TestProxy.StartAsync(o =>
        {
            o.TunnelIdleTimeout = TimeSpan.FromSeconds(2);
            o.StopTimeout = TimeSpan.FromSeconds(5);
        });
        await _proxy.SwapAsync(await _proxy.UpstreamAsync(app =>
        {
            app.UseWebSockets();
            app.Map("/echo", EchoAsync);
            app.MapGet("/plain", () => "no upgrade here");
        }), "r7");
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    /// <summary>Echoes every message back, upper-cased so that an answer cannot be the client's own bytes; closes when asked.</summary>
    private static async Task EchoAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 426;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }
            var text = Encoding.UTF8.GetString(buffer, 0, received.Count).ToUpperInvariant();
            if (text == "HANG UP")
            {
                context.Abort();
                return;
            }
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, received.EndOfMessage, CancellationToken.None);
        }
    }

    private async Task<ClientWebSocket> ConnectAsync()
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_proxy.Port}/echo"), timeout.Token);
        return socket;
    }

    private static async Task<string> SendAsync(ClientWebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
        return await ReceiveAsync(socket, timeout.Token);
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[256 * 1024];
        var text = new StringBuilder();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, ct);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        while (!result.EndOfMessage);
        return text.ToString();
    }

    [Fact]
    public async Task WebSocket_ExchangesMessagesBothWays_ClosesCleanly_AndIsRecordedAs101()
    {
        using var socket = await ConnectAsync();

        (await SendAsync(socket, "hello")).ShouldBe("HELLO");
        var large = new string('x', 200_000);
        (await SendAsync(socket, large)).ShouldBe(large.ToUpperInvariant());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        socket.CloseStatus.ShouldBe(WebSocketCloseStatus.NormalClosure);
        socket.CloseStatusDescription.ShouldBe("bye");
        var record = await _proxy.AccessRecordAsync("\"status\":101");
        record.ShouldContain("/echo");
        record.ShouldContain("r7");
    }

    [Fact]
    public async Task UpstreamDroppingTheTunnel_EndsTheClientsConnection()
    {
        using var socket = await ConnectAsync();
        (await SendAsync(socket, "first")).ShouldBe("FIRST");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync("hang up"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        var ended = await Should.ThrowAsync<WebSocketException>(() => ReceiveAsync(socket, timeout.Token));

        ended.WebSocketErrorCode.ShouldBe(WebSocketError.ConnectionClosedPrematurely);
    }

    [Fact]
    public async Task IdleTunnel_IsClosedAfterItsTimeout_AndAnActiveOneIsNot()
    {
        using var idle = await ConnectAsync();
        using var active = await ConnectAsync();

        // The idle timeout is 2 s here: the active socket talks every 0.5 s for 4 s, the idle one not at all.
        for (var i = 0; i < 8; i++)
        {
            (await SendAsync(active, $"ping {i}")).ShouldBe($"PING {i}");
            await Task.Delay(500);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Should.ThrowAsync<WebSocketException>(() => ReceiveAsync(idle, timeout.Token));
        (await SendAsync(active, "still here")).ShouldBe("STILL HERE");
    }

    [Fact]
    public async Task StoppingProxy_ClosesOpenTunnels_WithoutWaitingForItsStopTimeout()
    {
        using var socket = await ConnectAsync();
        (await SendAsync(socket, "before")).ShouldBe("BEFORE");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await _proxy.StopAsync();

        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(4), "the stop timeout is 5 s: an open tunnel must not hold the stop");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Should.ThrowAsync<WebSocketException>(() => ReceiveAsync(socket, timeout.Token));
    }

    [Fact]
    public async Task UpgradeRequest_ThatTheUpstreamDeclines_IsAnOrdinaryAnswer_OnAKeptConnection()
    {
        var answer = await _proxy.RawAsync("GET /plain HTTP/1.1\r\nHost: shop\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /plain HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n");

        answer.Split("HTTP/1.1 200 OK").Length.ShouldBe(3);
        answer.ShouldNotContain("Upgrade:");
        answer.Split("no upgrade here").Length.ShouldBe(3);
    }

    [Fact]
    public async Task UpstreamSwitchingProtocolsUnasked_Is502()
    {
        // A bare listener that answers 101 to anything: the proxy must not tunnel a request that did not ask.
        using var rogue = new TcpListener(IPAddress.Loopback, 0);
        rogue.Start();
        var rogueAnswers = Task.Run(async () =>
        {
            using var upstream = await rogue.AcceptSocketAsync();
            var buffer = new byte[4096];
            await upstream.ReceiveAsync(buffer);
            await upstream.SendAsync("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"u8.ToArray());
        });
        await _proxy.SwapAsync(((IPEndPoint)rogue.LocalEndpoint).Port, "r8", drainSeconds: 2);

        var answer = await _proxy.RawAsync("GET /plain HTTP/1.1\r\nHost: shop\r\n\r\n");
        await rogueAnswers;

        answer.ShouldStartWith("HTTP/1.1 502 Bad Gateway");
        answer.ShouldContain("which the request did not ask for");
    }
}
