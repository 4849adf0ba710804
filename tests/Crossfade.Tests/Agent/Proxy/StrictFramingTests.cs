using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>Control characters, oversized chunk lines and ambiguous framing: refused, or relayed with one framing only.</summary>
public sealed class StrictFramingTests : IAsyncLifetime
{
    private TestProxy _proxy = null!;

    public async Task InitializeAsync() => _proxy = await TestProxy.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    private async Task EchoUpstreamAsync() => await _proxy.SwapAsync(await _proxy.UpstreamAsync(app =>
    {
        app.MapPost("/echo", async (HttpRequest r) => Results.Text(await new StreamReader(r.Body).ReadToEndAsync()));
        app.MapGet("/{*path}", (HttpRequest r) => Results.Text($"value=[{r.Headers["X-Note"]}]"));
    }));

    [Theory]
    [InlineData("GET /a HTTP/1.1\r\nHost: shop\r\nX-Note: one\u0001two\r\n\r\n", "control character")]
    [InlineData("GET /a HTTP/1.1\r\nHost: shop\r\nX-Note: del\u007f\r\n\r\n", "control character")]
    [InlineData("GET /a\u0001b HTTP/1.1\r\nHost: shop\r\n\r\n", "control character")]
    [InlineData("GET /a\tb HTTP/1.1\r\nHost: shop\r\n\r\n", "control character")]
    [InlineData("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "HTTP/1.0 request may not have Transfer-Encoding")]
    public async Task HostileRequest_Is400NamingWhy_AndClosed(string request, string why)
    {
        await EchoUpstreamAsync();

        var answer = await _proxy.RawAsync(request);

        answer.ShouldStartWith("HTTP/1.1 400");
        answer.ShouldContain(why);
        answer.ShouldContain("Connection: close");
    }

    [Fact]
    public async Task TabInAFieldValue_IsRelayed()
    {
        await EchoUpstreamAsync();

        var answer = await _proxy.RawAsync("GET /a HTTP/1.1\r\nHost: shop\r\nX-Note: one\ttwo\r\nConnection: close\r\n\r\n");

        answer.ShouldStartWith("HTTP/1.1 200");
        answer.ShouldEndWith("value=[one\ttwo]");
    }

    [Fact]
    public async Task ChunkSizeLineLongerThanTheCap_StopsTheRequest()
    {
        await EchoUpstreamAsync();

        var answer = await _proxy.RawAsync("POST /echo HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n" + new string('0', 5000) + "5\r\nhello\r\n0\r\n\r\n");

        answer.ShouldNotContain("hello");
        answer.ShouldNotStartWith("HTTP/1.1 200");
    }

    [Fact]
    public async Task AnswerWithTransferEncodingAndContentLength_ReachesTheClientWithChunkedFramingOnly()
    {
        var answer = await RogueAnswerAsync("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

        answer.ShouldStartWith("HTTP/1.1 200 OK");
        answer.ShouldContain("Transfer-Encoding: chunked");
        answer.ShouldNotContain("Content-Length");
        answer.ShouldEndWith("5\r\nhello\r\n0\r\n\r\n");
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("gzip, chunked")]
    [InlineData("chunked, chunked")]
    public async Task AnswerWithAnotherTransferCoding_Is502(string coding)
    {
        var answer = await RogueAnswerAsync($"HTTP/1.1 200 OK\r\nTransfer-Encoding: {coding}\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

        answer.ShouldStartWith("HTTP/1.1 502");
        answer.ShouldContain("is not relayed (only 'chunked')");
        answer.ShouldNotContain("hello");
    }

    /// <summary>One exchange with an upstream that answers <paramref name="answer"/> as raw bytes and closes.</summary>
    private async Task<string> RogueAnswerAsync(string answer)
    {
        using var rogue = new TcpListener(IPAddress.Loopback, 0);
        rogue.Start();
        var upstream = Task.Run(async () =>
        {
            using var socket = await rogue.AcceptSocketAsync();
            await TestProxy.ReadAsync(socket, t => t.Contains("\r\n\r\n", StringComparison.Ordinal));
            await socket.SendAsync(System.Text.Encoding.Latin1.GetBytes(answer));
            socket.Shutdown(SocketShutdown.Both);
        });
        await _proxy.SwapAsync(((IPEndPoint)rogue.LocalEndpoint).Port);

        var received = await _proxy.RawAsync("GET /rogue HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n");
        await upstream;
        return received;
    }
}
