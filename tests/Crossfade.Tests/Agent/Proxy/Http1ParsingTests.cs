using System.Text;
using Crossfade.Agent.Proxy.Http1;

namespace Crossfade.Tests.Agent.Proxy;

public class Http1ParsingTests
{
    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    [Fact]
    public void Request_IsRead_WithItsHeadersAndPath()
    {
        var head = RequestHead.Parse(Bytes("POST /orders/7?x=1 HTTP/1.1\r\nHost: shop\r\nContent-Length:  12 \r\nX-Multi: a, b"), out var error)!;

        error.ShouldBeNull();
        head.Method.ShouldBe("POST");
        head.Path.ShouldBe("/orders/7");
        head.Minor.ShouldBe(1);
        head.GetString("content-length").ShouldBe("12");
        head.GetString("X-Multi").ShouldBe("a, b");
    }

    [Fact]
    public void Head_ReadAgain_HoldsOnlyTheNextMessage()
    {
        var head = new RequestHead();

        head.TryRead(Bytes($"POST /a HTTP/1.1\r\nHost: one\r\nContent-Length: 3\r\nX-Long: {new string('x', 3000)}"), out _).ShouldBeTrue();
        head.TryRead(Bytes("DELETE /b HTTP/1.0\r\nhost:two\t"), out _).ShouldBeTrue();

        head.Method.ShouldBe("DELETE");
        head.Minor.ShouldBe(0);
        head.Count.ShouldBe(1);
        head.GetString("Host").ShouldBe("two");
        head.Has("Content-Length"u8).ShouldBeFalse();
    }

    [Theory]
    [InlineData("GET /a HTTP/1.1\nHost: x", "bare CR or LF")]
    [InlineData("GET /a HTTP/1.1\r\nHost: x\ry", "bare CR or LF")]
    [InlineData("GET /a HTTP/1.1\r\nHost: x\0", "NUL")]
    [InlineData("GET /a\r HTTP/1.1\r\nHost: x", "bare CR or LF")]
    [InlineData("GET /a HTTP/1.1\r\nHost : x", "is not a header field")]
    [InlineData("GET /a HTTP/1.1\r\nHost: x\r\n folded", "folded")]
    [InlineData("GET /a HTTP/2.0\r\nHost: x", "HTTP/1.0 and HTTP/1.1")]
    [InlineData("GET  /a HTTP/1.1\r\nHost: x", "request line")]
    [InlineData("GET a HTTP/1.1\r\nHost: x", "must be a path")]
    [InlineData("G(T /a HTTP/1.1\r\nHost: x", "is not a method")]
    public void Request_Malformed_IsRefusedWithTheReason(string text, string reason)
    {
        RequestHead.Parse(Bytes(text), out var error).ShouldBeNull();
        error!.ShouldContain(reason);
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5", "both")]
    [InlineData("Transfer-Encoding: gzip, chunked", "only 'chunked'")]
    [InlineData("Content-Length: 5\r\nContent-Length: 6", "different values")]
    [InlineData("Content-Length: -1", "not a number")]
    [InlineData("Content-Length: 1e3", "not a number")]
    public void RequestFraming_Ambiguous_IsRefused(string headers, string reason)
    {
        var head = RequestHead.Parse(Bytes($"POST / HTTP/1.1\r\nHost: x\r\n{headers}"), out _)!;

        BodyFraming.ForRequest(head, out var error).ShouldBeNull();
        error!.ShouldContain(reason);
    }

    [Theory]
    [InlineData("GET", 200, "Content-Length: 10", "Length")]
    [InlineData("HEAD", 200, "Content-Length: 10", "None")]
    [InlineData("GET", 304, "Content-Length: 10", "None")]
    [InlineData("GET", 200, "Transfer-Encoding: chunked", "Chunked")]
    [InlineData("GET", 200, "X-Nothing: 1", "UntilClose")]
    public void ResponseFraming_FollowsMethodStatusAndHeaders(string method, int status, string header, string kind)
    {
        var head = ResponseHead.Parse(Bytes($"HTTP/1.1 {status} Whatever\r\n{header}"), out _)!;

        BodyFraming.ForResponse(method, status, head, out _)!.Value.Kind.ToString().ShouldBe(kind);
        Encoding.Latin1.GetString(head.Reason).ShouldBe("Whatever");
    }

    [Fact]
    public void ChunkedScanner_FindsTheEnd_AcrossAnySplit_AndTheData()
    {
        var body = Bytes("5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\nNEXT");
        var end = body.Length - 4;
        for (var split = 1; split < end; split++)
        {
            var scanner = new ChunkedScanner();
            var data = new List<(int Start, int Length)>();
            var first = scanner.Scan(body.AsSpan(0, split), data);
            var text = string.Concat(data.Select(d => Encoding.Latin1.GetString(body, d.Start, d.Length)));
            data.Clear();
            var second = scanner.Scan(body.AsSpan(split), data);
            text += string.Concat(data.Select(d => Encoding.Latin1.GetString(body, split + d.Start, d.Length)));

            (first + second).ShouldBe(end, $"split at {split}");
            scanner.Done.ShouldBeTrue();
            text.ShouldBe("helloabcdefghijklmnopqrstuvwxyz");
        }
    }

    [Theory]
    [InlineData("zz\r\n")]
    [InlineData("\r\n")]
    [InlineData("5\r\nhelloXX")]
    [InlineData("5\nhello\r\n")]
    [InlineData("FFFFFFFFFFFFFFFF\r\n")]
    public void ChunkedScanner_Malformed_Throws(string text) =>
        Should.Throw<InvalidDataException>(() => new ChunkedScanner().Scan(Bytes(text)));
}
