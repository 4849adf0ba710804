using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>The proxy's HTTP/1.1 relay, spoken to byte by byte over real sockets.</summary>
public sealed class Http1RelayTests : IAsyncLifetime
{
    private TestProxy _proxy = null!;

    public async Task InitializeAsync() => _proxy = await TestProxy.StartAsync(o => o.UpstreamTimeout = TimeSpan.FromSeconds(1));

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    private Task<int> KestrelUpstreamAsync() => _proxy.UpstreamAsync(app =>
    {
        app.MapPost("/echo", async (HttpRequest r) => Results.Text(await new StreamReader(r.Body).ReadToEndAsync()));
        app.MapGet("/stream", async (HttpResponse r) =>
        {
            foreach (var part in new[] { "alpha ", "beta ", "gamma" })
            {
                await r.WriteAsync(part);
                await r.Body.FlushAsync();
            }
        });
        app.MapGet("/slow", async () => { await Task.Delay(5000); return "late"; });
        app.MapGet("/heads", (HttpRequest r) => Results.Text(string.Join("\n", r.Headers.Select(h => $"{h.Key}: {h.Value}"))));
        app.MapMethods("/sized", ["GET", "HEAD"], () => Results.Text("0123456789"));
    });

    private async Task SwapAsync(int port) => await _proxy.SwapAsync(port);

    private Task<string> ExchangeAsync(string request, Func<string, bool>? complete = null) => _proxy.RawAsync(request, complete);

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public async Task ChunkedRequestBody_AndPipelinedRequests_AreRelayedInOrder()
    {
        await SwapAsync(await KestrelUpstreamAsync());

        var answer = await ExchangeAsync(
            "POST /echo HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            + "POST /echo HTTP/1.1\r\nHost: shop\r\nContent-Length: 6\r\n\r\nsecond"
            + "GET /sized HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n");

        Count(answer, "HTTP/1.1 200 OK").ShouldBe(3);
        answer.IndexOf("hello world", StringComparison.Ordinal).ShouldBeLessThan(answer.IndexOf("second", StringComparison.Ordinal));
        answer.ShouldEndWith("0123456789");
    }

    [Fact]
    public async Task Http10Client_GetsAChunkedAnswerWithoutItsFraming_AndTheConnectionClosed()
    {
        await SwapAsync(await KestrelUpstreamAsync());

        var answer = await ExchangeAsync("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");

        answer.ShouldStartWith("HTTP/1.1 200 OK");
        answer.ShouldContain("Connection: close");
        answer.ShouldNotContain("Transfer-Encoding");
        answer.ShouldEndWith("\r\n\r\nalpha beta gamma");
    }

    [Fact]
    public async Task HeadRequest_IsAnsweredWithoutWaitingForABody_AndTheConnectionGoesOn()
    {
        await SwapAsync(await KestrelUpstreamAsync());

        var answer = await ExchangeAsync("HEAD /sized HTTP/1.1\r\nHost: shop\r\n\r\nGET /sized HTTP/1.1\r\nHost: shop\r\n\r\n",
            a => a.EndsWith("0123456789", StringComparison.Ordinal));

        Count(answer, "HTTP/1.1 200 OK").ShouldBe(2);
        Count(answer, "0123456789").ShouldBe(1);
    }

    [Fact]
    public async Task ExpectContinue_IsAnsweredByTheProxy_ThenTheBodyGoesThrough()
    {
        await SwapAsync(await KestrelUpstreamAsync());

        var answer = await ExchangeAsync("POST /echo HTTP/1.1\r\nHost: shop\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\nping");

        answer.ShouldStartWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK");
        answer.ShouldEndWith("ping");
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc", "400", "both Transfer-Encoding and Content-Length")]
    [InlineData("GET / HTTP/1.1\nHost: a\r\n\r\n", "400", "bare CR or LF")]
    [InlineData("GET / HTTP/1.1\r\nAccept: x\r\n\r\n", "400", "must have a Host")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400", "only one Host")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", "501", "only 'chunked'")]
    public async Task AmbiguousOrMalformedRequests_AreRefusedAndClosed_AndTheProxyGoesOn(string request, string status, string reason)
    {
        await SwapAsync(await KestrelUpstreamAsync());

        var answer = await ExchangeAsync(request);
        var after = await _proxy.Http.GetStringAsync(_proxy.Url("/sized"));

        answer.ShouldStartWith($"HTTP/1.1 {status}");
        answer.ShouldContain(reason);
        answer.ShouldContain("Connection: close");
        after.ShouldBe("0123456789");
    }

    [Fact]
    public async Task ForwardedHeaders_AreTheProxysOwn_AndHopByHopFieldsStayBehind()
    {
        await SwapAsync(await KestrelUpstreamAsync());

        var answer = await ExchangeAsync("GET /heads HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For: 10.0.0.1\r\nx-forwarded-for: 10.0.0.2\r\n"
            + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\nConnection: close, X-Drop\r\nX-Drop: 1\r\nUser-Agent: t\r\n\r\n");
        var seen = answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..].Split('\n');

        answer.ShouldStartWith("HTTP/1.1 200");
        seen.ShouldContain("X-Forwarded-For: 10.0.0.1, 10.0.0.2, 127.0.0.1");
        seen.ShouldContain("X-Forwarded-Proto: http");
        seen.ShouldContain("X-Forwarded-Host: shop");
        seen.ShouldContain("Host: shop");
        seen.ShouldContain("User-Agent: t");
        seen.ShouldNotContain(h => h.StartsWith("X-Drop", StringComparison.OrdinalIgnoreCase) || h.StartsWith("Connection", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task OversizedHead_Is431()
    {
        await SwapAsync(await KestrelUpstreamAsync());

        var answer = await ExchangeAsync($"GET / HTTP/1.1\r\nHost: a\r\nX-Big: {new string('x', 70_000)}\r\n\r\n");

        answer.ShouldStartWith("HTTP/1.1 431");
    }

    [Fact]
    public async Task UpstreamTooSlow_Is504_NamingWhy()
    {
        await SwapAsync(await KestrelUpstreamAsync());

        var response = await _proxy.Http.GetAsync(_proxy.Url("/slow"));

        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
        response.Headers.GetValues("X-Crossfade-Proxy-Error").Single().ShouldContain("did not answer in time");
    }

    [Fact]
    public async Task AnswerBodyStandingStill_CutsTheClientsConnection_AfterTheAnswerTimeout()
    {
        // An upstream that starts a 100-byte answer, sends 10 bytes of it, and then neither sends nor closes.
        using var stalling = new TcpListener(IPAddress.Loopback, 0);
        stalling.Start();
        using var release = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var upstream = Task.Run(async () =>
        {
            using var socket = await stalling.AcceptSocketAsync();
            await TestProxy.ReadAsync(socket, t => t.Contains("\r\n\r\n", StringComparison.Ordinal));
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"u8.ToArray());
            await Task.Delay(Timeout.Infinite, release.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        await SwapAsync(((IPEndPoint)stalling.LocalEndpoint).Port);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var answer = await ExchangeAsync("GET /stall HTTP/1.1\r\nHost: shop\r\n\r\n");

        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5), "the answer timeout is 1 s here");
        answer.ShouldStartWith("HTTP/1.1 200 OK");
        answer.ShouldEndWith("\r\n\r\n0123456789");
        await release.CancelAsync();
        await upstream;
    }

    [Fact]
    public async Task KeptConnectionTheUpstreamClosed_IsReplacedWithoutTheClientSeeingIt()
    {
        // An upstream that answers once per connection and then closes it, without saying so.
        await using var upstream = new OneShotUpstream();
        await SwapAsync(upstream.Port);

        // Three at once leave three kept connections, all closed by the upstream: a retry must not take another of them.
        var answers = (await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => _proxy.Http.GetStringAsync(_proxy.Url("/x"))))).ToList();
        await Task.Delay(50);
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await _proxy.Http.GetStringAsync(_proxy.Url("/x")));
            await Task.Delay(50);
        }

        answers.ShouldAllBe(a => a == "one-shot");
        upstream.Connections.ShouldBe(8);
    }

    private sealed class OneShotUpstream : IAsyncDisposable
    {
        private readonly Socket _listener = new(SocketType.Stream, ProtocolType.Tcp);
        private readonly Task _loop;
        private int _connections;

        public OneShotUpstream()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen();
            _loop = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        using var s = await _listener.AcceptAsync();
                        Interlocked.Increment(ref _connections);
                        var buffer = new byte[8192];
                        var text = "";
                        while (!text.Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            var n = await s.ReceiveAsync(buffer);
                            if (n == 0)
                                break;
                            text += Encoding.Latin1.GetString(buffer, 0, n);
                        }
                        await s.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\none-shot"u8.ToArray());
                        s.Shutdown(SocketShutdown.Both);
                    }
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // Stopped.
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public int Connections => Volatile.Read(ref _connections);

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            await _loop;
        }
    }
}
