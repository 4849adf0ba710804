using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Runtime.CompilerServices;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>How one request went, for its access record and for whether the connection goes on.</summary>
internal readonly record struct Outcome(int Status, long Bytes, string Release, bool KeepAlive);

/// <summary>
/// One client connection of the host proxy: reads each request's head, relays it with its body to
/// the live upstream, relays the answer back, and writes an access record; keep-alive and pipelined
/// requests go on on the same connection, each to the upstream that is live when its head arrives.
/// </summary>
internal sealed partial class ClientConnection(
    Socket socket, IPAddress client, Sites.SiteRouter router, AccessLogWriter proxyLog, TimeProvider time, ProxyOptions options, ProxyCounters counters,
    Tls.ProxyCertificates? certificates, Tls.HttpsPort https)
{
    private const int MaxHead = 64 * 1024;
    private readonly SocketBuffer _client = new(socket, Peer.Client);
    private readonly HeadWriter _head = new();
    private readonly RequestHead _request = new();
    private readonly ResponseHead _response = new();
    private readonly string _clientIp = client.ToString();
    // Timeouts are deadlines checked by the listener's heartbeat (once a second), not a timer per
    // request: a connection past its deadline is cancelled, and closes. Never disposed: it holds no
    // timer, and the heartbeat or a stop may still cancel it after the connection has ended.
    private readonly CancellationTokenSource _timer = new();
    private long _deadline = long.MaxValue;
    private volatile bool _idle;
    private volatile bool _tunneling;
    private CancellationToken _stopping;
    // Whether the request being relayed asks to switch protocols.
    private bool _upgrading;
    private Action<Peer>? _answerWaits;
    // The site (app) the request being relayed is for, chosen by its Host; null until then, or when none serves it.
    private Sites.ProxySite? _site;

    /// <summary>Cancels what the connection waits for when its deadline has passed; called by the heartbeat.</summary>
    public void Check(long now)
    {
        if (now > Volatile.Read(ref _deadline))
            _timer.Cancel();
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        // Stopping closes an idle connection and a tunnel at once; a request in progress finishes first.
        _stopping = stopping;
        using var stop = stopping.Register(() =>
        {
            if (_idle || _tunneling)
                _timer.Cancel();
        });
        var readingHead = false;
        try
        {
            // A new connection has the head timeout for its first request (and its TLS handshake before it).
            Arm(options.HeadTimeout);
            // Before its handshake a connection is as idle as one waiting for its first request: a stop closes it at once.
            _idle = true;
            if (certificates is not null && (stopping.IsCancellationRequested || !await HandshakeAsync(certificates)))
                return;
            for (var first = true; !stopping.IsCancellationRequested; first = false)
            {
                _idle = _client.Count == 0;
                if (stopping.IsCancellationRequested)
                    return;
                if (!first && _idle)
                {
                    // Kept alive between requests: idle for up to the keep-alive timeout, then the
                    // next head has the head timeout from its first byte.
                    Arm(options.KeepAliveTimeout);
                    if (await _client.FillAsync(_timer.Token) == 0)
                        return;
                    Arm(options.HeadTimeout);
                }
                else if (!first)
                    Arm(options.HeadTimeout);
                readingHead = true;
                var headLength = await _client.ReadHeadAsync(MaxHead, _timer.Token);
                readingHead = false;
                _idle = false;
                if (headLength == 0)
                    return;
                Disarm();
                // The access record's duration is a measurement that decides nothing, so it stays on the
                // machine's clock: no virtual call per request on the relay's hot path.
                var started = Stopwatch.GetTimestamp();
                var valid = _request.TryRead(_client.Buffered.Span[..(headLength - 4)], out var error);
                var bot = valid && IsDeclaredBot(_request);
                _client.Consume(headLength);
                _site = null;
                var outcome = valid
                    ? await ExchangeAsync(_request, CancellationToken.None)
                    : await RefuseAsync(400, error!, close: true);
                (_site?.AccessLog ?? proxyLog).Add(new AccessRecord(time.GetUtcNow(), valid ? _request.Method : "-", valid ? _request.Path : "-", outcome.Status,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds, outcome.Bytes, outcome.Release, _clientIp, bot));
                if (!outcome.KeepAlive)
                    return;
            }
        }
        catch (HeadTooLargeException)
        {
            await TryAsync(() => RefuseAsync(431, $"the request head is larger than {MaxHead / 1024} KiB", close: true).AsTask());
        }
        catch (OperationCanceledException) when (readingHead && !stopping.IsCancellationRequested)
        {
            // A head that did not arrive whole in time (a slow or abusive client): close, counted.
            counters.HeadTimedOut();
        }
        catch (Exception ex) when (ex is PeerException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, stayed idle too long, or the proxy is stopping: close.
        }
        finally
        {
            if (_linger)
                await LingerAsync();
            _client.Dispose();
            Disarm();
        }
    }

    /// <summary>Checks a parsed request, then forwards it on the live upstream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> ExchangeAsync(RequestHead request, CancellationToken stopping)
    {
        if (request.Minor == 1 && !request.Has("Host"u8))
            return await RefuseAsync(400, "an HTTP/1.1 request must have a Host header", close: true);
        if (request.CountOf("Host"u8) > 1)
            return await RefuseAsync(400, "a request may have only one Host header", close: true);
        if (request.Minor == 0 && request.Has("Transfer-Encoding"u8))
            return await RefuseAsync(400, "an HTTP/1.0 request may not have Transfer-Encoding", close: true);
        if (BodyFraming.ForRequest(request, out var error) is not { } framing)
            return await RefuseAsync(error!.StartsWith("Transfer-Encoding", StringComparison.Ordinal) ? 501 : 400, error, close: true);
        var keepAlive = request.Minor == 1
            ? !request.HasToken("Connection"u8, "close"u8)
            : request.HasToken("Connection"u8, "keep-alive"u8);
        request.TryGet("Host"u8, out var host);
        // An absolute-form target names its host itself, and that one counts (RFC 9112, 3.2.2).
        if (AuthorityOf(request.Target) is { } authority)
            host = authority;
        if (router.For(host) is not { } site)
        {
            _linger = framing.Kind != BodyKind.None;
            return await RefuseAsync(404, $"no app is served here for host '{Sites.SiteRouter.Describe(host)}'", close: !keepAlive || _linger);
        }
        // Only an app that asks for it has its plain requests sent to HTTPS, and only when the proxy has an HTTPS port.
        if (certificates is null && site.Https.RedirectHttps && https.Port is not null
            && !request.Path.StartsWith("/.well-known/acme-challenge/", StringComparison.Ordinal))
        {
            // A body is not relayed: it is read and dropped before the close, so the 308 is not lost to a reset.
            _linger = framing.Kind != BodyKind.None;
            return await RedirectAsync(request, Encoding.ASCII.GetString(host), keepAlive && !_linger);
        }
        _site = site;
        _upgrading = AsksUpgrade(request, framing);
        _splitCookie = null;
        _toCandidate = site.Table.Split is { } split && ToCandidate(request, split);
        var snapshot = site.Table.Acquire(_toCandidate);
        if (snapshot is null)
        {
            _linger = framing.Kind != BodyKind.None;
            return await RefuseAsync(503, "no release is live on this host yet", close: !keepAlive || _linger);
        }
        return await ForwardAsync(request, framing, keepAlive, snapshot, stopping);
    }

    /// <summary>Answers the client with the proxy's own error; closes when the request's body was not read.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> RefuseAsync(int status, string why, bool close, string release = "-")
    {
        var body = Encoding.UTF8.GetBytes($"crossfade proxy: {why}\n");
        _head.StartResponse(status, Reason(status))
            .Header("Content-Type"u8, "text/plain; charset=utf-8"u8)
            .Header("X-Crossfade-Proxy-Error"u8, why)
            .Header("Content-Length"u8, body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (close)
            _head.Header("Connection"u8, "close"u8);
        _head.End().Append(body);
        await _client.SendAsync(_head.Written, CancellationToken.None);
        return new Outcome(status, body.Length, release, !close);
    }

    /// <summary>The target in origin form: <c>/cart?x=1</c> of <c>http://shop.test/cart?x=1</c>; an origin-form target as it is.</summary>
    private static string OriginForm(string target)
    {
        if (target.Length == 0 || target[0] == '/' || target.IndexOf("://", StringComparison.Ordinal) is not (4 or 5))
            return target;
        var rest = target[(target.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var path = rest.IndexOfAny(['/', '?']);
        return path < 0 ? "/" : rest[path] == '?' ? "/" + rest[path..] : rest[path..];
    }

    /// <summary>The authority of an absolute-form target (<c>http://shop.test/cart</c>), or null for the usual origin form.</summary>
    private static byte[]? AuthorityOf(string target)
    {
        if (target.Length == 0 || target[0] == '/')
            return null;
        var at = target.IndexOf("://", StringComparison.Ordinal);
        if (at is not (4 or 5))
            return null;
        var rest = target[(at + 3)..];
        var end = rest.IndexOfAny(['/', '?']);
        return System.Text.Encoding.ASCII.GetBytes(end < 0 ? rest : rest[..end]);
    }

    /// <summary>Whether the request's User-Agent says a robot sent it (the judge leaves such requests out).</summary>
    private static bool IsDeclaredBot(RequestHead request) =>
        request.TryGet("User-Agent"u8, out var agent) && Core.Telemetry.DeclaredBots.Is(agent);

    private static ReadOnlySpan<byte> Reason(int status) => status switch
    {
        400 => "Bad Request"u8,
        404 => "Not Found"u8,
        408 => "Request Timeout"u8,
        431 => "Request Header Fields Too Large"u8,
        501 => "Not Implemented"u8,
        502 => "Bad Gateway"u8,
        503 => "Service Unavailable"u8,
        504 => "Gateway Timeout"u8,
        _ => "Error"u8,
    };

    /// <summary>The client's address as the access record and the caps see it: IPv4 without its IPv6 mapping.</summary>
    public static IPAddress AddressOf(Socket socket) => socket.RemoteEndPoint is IPEndPoint { Address: var address }
        ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)
        : IPAddress.None;

    private void Arm(TimeSpan timeout) => Volatile.Write(ref _deadline, Environment.TickCount64 + (long)timeout.TotalMilliseconds);

    private void Disarm() => Volatile.Write(ref _deadline, long.MaxValue);

    private static async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is PeerException or ObjectDisposedException)
        {
            // The client is gone already.
        }
    }
}
