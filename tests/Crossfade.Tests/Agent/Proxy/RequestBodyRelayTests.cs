using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>
/// Request bodies larger than one read: sent on while the answer is awaited, an early answer heard,
/// a slow upload not mistaken for a slow upstream, a client vanishing mid-body.
/// </summary>
public sealed class RequestBodyRelayTests : IAsyncLifetime
{
    private TestProxy _proxy = null!;

    public async Task InitializeAsync() => _proxy = await TestProxy.StartAsync(o => o.UpstreamTimeout = TimeSpan.FromSeconds(1));

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    private Task<int> KestrelUpstreamAsync() => _proxy.UpstreamAsync(app =>
    {
        app.MapPost("/echo", async (HttpRequest r) => Results.Text(await new StreamReader(r.Body).ReadToEndAsync()));
        // Answers at once without reading the body, as an app refusing an upload does.
        app.MapPost("/refuse", () => Results.Text("not wanted", statusCode: 401));
    });

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _proxy.Port);
        return socket;
    }

    /// <summary>Sends up to <paramref name="bytes"/> of body in 64 KiB pieces until the connection refuses more; bounded.</summary>
    private static async Task SendBodyAsync(Socket socket, int bytes)
    {
        var piece = new byte[64 * 1024];
        Array.Fill(piece, (byte)'b');
        try
        {
            for (var sent = 0; sent < bytes; sent += piece.Length)
                await socket.SendAsync(piece);
        }
        catch (SocketException)
        {
            // The proxy closed: the rest of the body was not wanted.
        }
    }

    [Fact]
    public async Task UpstreamAnsweringBeforeTheBody_ThenResettingIt_ReachesTheClient_AndTheConnectionCloses()
    {
        // An upstream that answers 413 on the head alone and closes with the body unread, which resets the connection.
        using var rogue = new TcpListener(IPAddress.Loopback, 0);
        rogue.Start();
        var answers = Task.Run(async () =>
        {
            using var upstream = await rogue.AcceptSocketAsync();
            var head = await TestProxy.ReadAsync(upstream, t => t.Contains("\r\n\r\n", StringComparison.Ordinal));
            await upstream.SendAsync("HTTP/1.1 413 Content Too Large\r\nContent-Length: 9\r\nConnection: close\r\n\r\ntoo large"u8.ToArray());
            upstream.Close(0);
            return head;
        });
        await _proxy.SwapAsync(((IPEndPoint)rogue.LocalEndpoint).Port);
        using var client = await ConnectAsync();

        await client.SendAsync("POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 50000000\r\n\r\n"u8.ToArray());
        var sending = SendBodyAsync(client, 4 * 1024 * 1024);
        var answer = await TestProxy.ReadAsync(client);
        await sending;

        (await answers).ShouldStartWith("POST /upload HTTP/1.1");
        answer.ShouldStartWith("HTTP/1.1 413 Content Too Large");
        answer.ShouldContain("Connection: close");
        answer.ShouldEndWith("too large");
        (await _proxy.AccessRecordAsync("/upload")).ShouldContain("\"status\":413");
    }

    [Fact]
    public async Task KestrelRefusingAnUpload_WithoutReadingIt_IsHeard_AndTheNextConnectionIsServed()
    {
        await _proxy.SwapAsync(await KestrelUpstreamAsync());
        using var client = await ConnectAsync();

        await client.SendAsync("POST /refuse HTTP/1.1\r\nHost: shop\r\nContent-Length: 8000000\r\n\r\n"u8.ToArray());
        var sending = SendBodyAsync(client, 1024 * 1024);
        var answer = await TestProxy.ReadAsync(client, a => a.EndsWith("not wanted", StringComparison.Ordinal));
        await sending;
        var after = await _proxy.Http.PostAsync(_proxy.Url("/echo"), new StringContent("next"));

        answer.ShouldStartWith("HTTP/1.1 401 Unauthorized");
        answer.ShouldContain("Connection: close");
        (await after.Content.ReadAsStringAsync()).ShouldBe("next");
    }

    [Fact]
    public async Task SlowUpload_LongerThanTheAnswerTimeout_IsNotA504_AndTheConnectionIsKept()
    {
        // A proxy of its own with a 5 s answer timeout: the body takes 6 s to arrive in pieces 0.3 s apart
        // (each far within the timeout, which runs from the last piece, even when a busy machine stalls the
        // sender for seconds), and the upstream, warmed first, answers at once after it.
        // The upstream's own guard against slow bodies (Kestrel's minimum data rate, after a 5 s grace) is off
        // for this request: the proxy's timeout is what is tested.
        await using var proxy = await TestProxy.StartAsync(o => o.UpstreamTimeout = TimeSpan.FromSeconds(5));
        await proxy.SwapAsync(await proxy.UpstreamAsync(app => app.MapPost("/echo", async (HttpRequest r) =>
        {
            r.HttpContext.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.IHttpMinRequestBodyDataRateFeature>()!.MinDataRate = null;
            return Results.Text(await new StreamReader(r.Body).ReadToEndAsync());
        })));
        (await proxy.Http.PostAsync(proxy.Url("/echo"), new StringContent("warm"))).EnsureSuccessStatusCode();
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);

        const string Body = "slowly but surely...";
        await client.SendAsync(Encoding.ASCII.GetBytes($"POST /echo HTTP/1.1\r\nHost: shop\r\nContent-Length: {Body.Length}\r\n\r\n"));
        foreach (var piece in Body)
        {
            await Task.Delay(300);
            await client.SendAsync(Encoding.ASCII.GetBytes(piece.ToString()));
        }
        var first = await TestProxy.ReadAsync(client, a => a.EndsWith(Body, StringComparison.Ordinal));
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: shop\r\nContent-Length: 5\r\nConnection: close\r\n\r\nagain"u8.ToArray());
        var second = await TestProxy.ReadAsync(client);

        first.ShouldStartWith("HTTP/1.1 200 OK");
        first.ShouldNotContain("Connection: close");
        second.ShouldStartWith("HTTP/1.1 200 OK");
        second.ShouldEndWith("again");
    }

    [Fact]
    public async Task ClientVanishingMidBody_IsRecordedAs499_AndTheProxyGoesOn()
    {
        // A proxy of its own with a long answer timeout: on a busy machine the class's 1 s timeout could
        // end the wait first, and the request would rightly be a 408 instead.
        await using var proxy = await TestProxy.StartAsync(o => o.UpstreamTimeout = TimeSpan.FromSeconds(30));
        await proxy.SwapAsync(await proxy.UpstreamAsync(app => app.MapPost("/echo", async (HttpRequest r) => Results.Text(await new StreamReader(r.Body).ReadToEndAsync()))));

        // The client leaves after 7 of its 100,000 body bytes: the proxy finds it gone mid-body.
        using (var client = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
            await client.SendAsync("POST /echo HTTP/1.1\r\nHost: shop\r\nContent-Length: 100000\r\n\r\npartial"u8.ToArray());
        }
        var after = await proxy.Http.PostAsync(proxy.Url("/echo"), new StringContent("still serving"));

        (await after.Content.ReadAsStringAsync()).ShouldBe("still serving");
        (await proxy.AccessRecordAsync("\"status\":499")).ShouldContain("\"path\":\"/echo\"");
    }

    [Fact]
    public async Task ClientStallingMidBody_Gets408_OnceTheBodyStandsStillForTheTimeout()
    {
        await _proxy.SwapAsync(await KestrelUpstreamAsync());
        using var client = await ConnectAsync();

        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: shop\r\nContent-Length: 100\r\n\r\nten bytes."u8.ToArray());
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var answer = await TestProxy.ReadAsync(client);

        answer.ShouldStartWith("HTTP/1.1 408 Request Timeout");
        answer.ShouldContain("the request body stopped arriving");
        answer.ShouldContain("Connection: close");
        watch.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(0.9));
    }

    [Fact]
    public async Task UpstreamNeitherTakingTheBodyNorAnswering_Is504()
    {
        // An upstream that accepts and then does nothing: the body fills the buffers between them and stands still.
        using var stuck = new TcpListener(IPAddress.Loopback, 0);
        stuck.Start();
        var held = stuck.AcceptSocketAsync();
        await _proxy.SwapAsync(((IPEndPoint)stuck.LocalEndpoint).Port);
        using var client = await ConnectAsync();

        await client.SendAsync("POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 40000000\r\n\r\n"u8.ToArray());
        var sending = SendBodyAsync(client, 24 * 1024 * 1024);
        var answer = await TestProxy.ReadAsync(client);
        await sending;
        (await held).Dispose();

        answer.ShouldStartWith("HTTP/1.1 504 Gateway Timeout");
        answer.ShouldContain("Connection: close");
    }
}
