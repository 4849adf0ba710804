using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Crossfade.Agent.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>Slow and abusive clients against the host proxy, over raw sockets from several loopback addresses.</summary>
[Collection(Exclusive.Name)]
public sealed class AbusiveClientTests : IAsyncDisposable
{
    private TestProxy? _proxy;

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
            await _proxy.DisposeAsync();
    }

    private async Task<TestProxy> StartAsync(Action<ProxyOptions> configure)
    {
        _proxy = await TestProxy.StartAsync(configure);
        await _proxy.SwapAsync(await _proxy.UpstreamAsync(app => app.MapGet("/{*path}", (HttpContext c) =>
        {
            c.Response.ContentLength = 2;
            return c.Response.WriteAsync("ok");
        })));
        return _proxy;
    }

    /// <summary>A connection to the proxy from <paramref name="from"/> (any 127.x.y.z reaches loopback).</summary>
    private static async Task<Socket> ConnectAsync(TestProxy proxy, string from = "127.0.0.1")
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
        await socket.ConnectAsync(IPAddress.Loopback, proxy.Port);
        return socket;
    }

    private static async Task<ProxyStats> StatsAsync(TestProxy proxy) =>
        (await proxy.Http.GetFromJsonAsync<ProxyStats>($"http://127.0.0.1:{proxy.ControlPort}/stats"))!;

    /// <summary>Whether a new connection from <paramref name="from"/> is reset (during or right after its handshake).</summary>
    private static async Task<bool> RefusedAsync(TestProxy proxy, string from)
    {
        try
        {
            using var socket = await ConnectAsync(proxy, from);
            return await ClosedWithinAsync(socket, TimeSpan.FromSeconds(5));
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>Whether the proxy closed (or reset) the connection within <paramref name="within"/>.</summary>
    private static async Task<bool> ClosedWithinAsync(Socket socket, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [Fact]
    public async Task HeadTrickledByteByByte_IsClosedAfterTheHeadTimeout_AndCounted()
    {
        var proxy = await StartAsync(o => o.HeadTimeout = TimeSpan.FromSeconds(1));
        using var socket = await ConnectAsync(proxy);
        var watch = Stopwatch.StartNew();

        var trickle = Task.Run(async () =>
        {
            try
            {
                foreach (var b in Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: shop\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaa"))
                {
                    await socket.SendAsync(new[] { b });
                    await Task.Delay(100);
                }
            }
            catch (SocketException)
            {
                // closed by the proxy, as it should be
            }
        });
        var closed = await ClosedWithinAsync(socket, TimeSpan.FromSeconds(6));

        closed.ShouldBeTrue("a head still trickling after the head timeout must be cut");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(4));
        (await StatsAsync(proxy)).HeadTimeouts.ShouldBe(1);
        await trickle;
    }

    [Fact]
    public async Task ConnectionThatSendsNothing_IsClosedAfterTheHeadTimeout()
    {
        var proxy = await StartAsync(o => o.HeadTimeout = TimeSpan.FromSeconds(1));
        using var socket = await ConnectAsync(proxy);

        (await ClosedWithinAsync(socket, TimeSpan.FromSeconds(5))).ShouldBeTrue();
    }

    [Fact]
    public async Task KeptAliveConnection_MayIdleLongerThanTheHeadTimeout()
    {
        var proxy = await StartAsync(o => o.HeadTimeout = TimeSpan.FromSeconds(1));
        using var socket = await ConnectAsync(proxy);
        const string request = "GET /a HTTP/1.1\r\nHost: shop\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        (await TestProxy.ReadAsync(socket, t => t.EndsWith("ok", StringComparison.Ordinal))).ShouldStartWith("HTTP/1.1 200");

        // Idle between requests is the keep-alive timeout's business (120 s), not the head timeout's:
        // idle for well past the head timeout, the connection is still open (nothing to read, no end).
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        socket.Poll(0, SelectMode.SelectRead).ShouldBeFalse("the proxy closed a kept-alive connection idle for less than the keep-alive timeout");
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));

        (await TestProxy.ReadAsync(socket, t => t.EndsWith("ok", StringComparison.Ordinal))).ShouldStartWith("HTTP/1.1 200");
    }

    [Fact]
    public async Task ClientOverItsConnectionCap_IsRefusedAtOnce_WhileOthersAreServed()
    {
        var proxy = await StartAsync(o => o.MaxConnectionsPerClient = 5);
        var greedy = new List<Socket>();
        for (var i = 0; i < 5; i++)
            greedy.Add(await ConnectAsync(proxy, "127.0.0.2"));
        await WaitForAsync(async () => (await StatsAsync(proxy)).OpenConnections == 5, () => StatsAsync(proxy));

        var watch = Stopwatch.StartNew();
        (await RefusedAsync(proxy, "127.0.0.2")).ShouldBeTrue();
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1), "refused at once, not after a timeout");

        (await proxy.Http.GetStringAsync(proxy.Url("/other-client"))).ShouldBe("ok");
        (await StatsAsync(proxy)).RefusedClientCap.ShouldBe(1);
        // Once one of its connections closes, the client is served again.
        greedy[0].Dispose();
        await WaitForAsync(async () =>
        {
            try
            {
                using var again = await ConnectAsync(proxy, "127.0.0.2");
                await again.SendAsync("GET / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n"u8.ToArray());
                return (await TestProxy.ReadAsync(again)).StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
            }
            catch (SocketException)
            {
                return false;
            }
        }, () => StatsAsync(proxy));
        greedy.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task ProxyOverItsConnectionCap_RefusesNewConnections_AndCountsThem()
    {
        var proxy = await StartAsync(o => o.MaxConnections = 4);
        var open = new List<Socket>();
        for (var i = 0; i < 4; i++)
            open.Add(await ConnectAsync(proxy, $"127.0.0.{10 + i}"));
        await WaitForAsync(async () => (await StatsAsync(proxy)).OpenConnections == 4);

        (await RefusedAsync(proxy, "127.0.0.20")).ShouldBeTrue();
        (await StatsAsync(proxy)).RefusedProxyCap.ShouldBe(1);
        await open[0].SendAsync("GET / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n"u8.ToArray());
        (await TestProxy.ReadAsync(open[0])).ShouldStartWith("HTTP/1.1 200");
        open.ForEach(s => s.Dispose());
    }

    /// <summary>
    /// 2,000 connections from eight addresses trickle heads (a slowloris; each reconnects when cut)
    /// while 32 ordinary clients browse: the ordinary clients see no failure, and the trickling
    /// connections are cut by the head timeout.
    /// </summary>
    [Fact]
    public async Task Slowloris_Of2000Connections_LeavesOrdinaryClientsUnharmed()
    {
        var proxy = await StartAsync(o => o.HeadTimeout = TimeSpan.FromSeconds(1));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var attackers = Enumerable.Range(0, 2000).Select(i => SlowlorisAsync(proxy, $"127.0.1.{2 + i % 8}", stop.Token)).ToArray();
        await WaitForAsync(async () => (await StatsAsync(proxy)).OpenConnections >= 1500);

        var failures = 0;
        var served = 0;
        using var browsing = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };
            while (!browsing.IsCancellationRequested)
            {
                try
                {
                    var response = await client.GetAsync(proxy.Url($"/listings/{i}"));
                    if (response.StatusCode == HttpStatusCode.OK)
                        Interlocked.Increment(ref served);
                    else
                        Interlocked.Increment(ref failures);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        var stats = await StatsAsync(proxy);
        await Task.WhenAll(attackers);

        failures.ShouldBe(0);
        served.ShouldBeGreaterThan(100);
        stats.HeadTimeouts.ShouldBeGreaterThan(1500);
    }

    private static async Task SlowlorisAsync(TestProxy proxy, string from, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var socket = await ConnectAsync(proxy, from);
                await socket.SendAsync("GET / HTTP/1.1\r\nHost: shop\r\n"u8.ToArray(), stop);
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(300, stop);
                    await socket.SendAsync("X-a: b\r\n"u8.ToArray(), stop);
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // cut by the proxy (or time is up): come back, as a slowloris does
            }
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, Func<Task<ProxyStats>>? show = null)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(15))
                throw new TimeoutException($"the condition did not hold within 15 s{(show is null ? "" : $"; {await show()}")}");
            await Task.Delay(20);
        }
    }
}
