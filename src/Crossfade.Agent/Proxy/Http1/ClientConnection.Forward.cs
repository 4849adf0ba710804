using System.Net.Sockets;
using System.Text;
using System.Runtime.CompilerServices;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>The relay of one request to an upstream and of its answer back: the proxy's hot path.</summary>
internal sealed partial class ClientConnection
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> ForwardAsync(RequestHead request, BodyFraming framing, bool keepAlive, UpstreamSnapshot acquired, CancellationToken stopping)
    {
        UpstreamSnapshot? snapshot = acquired;
        // Without a body the request can be sent again when the upstream never saw it (refused, or a
        // kept connection it had closed): once, on the upstream live at that moment.
        var canRetry = framing.Kind == BodyKind.None;
        SocketBuffer? upstream = null;
        BodyPump? pump = null;
        var answering = false;
        var status = 0;
        try
        {
            ResponseHead response;
            for (var attempt = 0; ; attempt++)
            {
                // The retry takes a new connection: the next kept one may be as stale as the first.
                upstream = attempt == 0 ? snapshot.TakeIdle(check: !canRetry) : null;
                var reused = upstream is not null;
                try
                {
                    upstream ??= await snapshot.ConnectAsync(stopping);
                    pump = await SendRequestAsync(request, framing, upstream, snapshot, stopping);
                    response = await ReadResponseHeadAsync(upstream, pump);
                    break;
                }
                catch (PeerException ex) when (ex.Peer == Peer.Upstream && canRetry && attempt == 0 && (reused || IsRefused(ex)))
                {
                    upstream?.Dispose();
                    upstream = null;
                    if (!reused)
                    {
                        snapshot.Exit();
                        snapshot = _site!.Table.Acquire(_toCandidate);
                        if (snapshot is null)
                            return await RefuseAsync(502, $"the upstream did not answer: {ex.Message}", close: !keepAlive);
                    }
                }
            }
            if (response.Status == 101)
            {
                // A tunnel is not a request in flight: a drain does not wait for it, and it ends
                // when the instance it reaches stops.
                var release = snapshot.Release;
                snapshot.Exit();
                snapshot = null;
                answering = true;
                status = 101;
                return await TunnelAsync(response, upstream!, release);
            }
            if (BodyFraming.ForResponse(request.Method, response.Status, response, out var error) is not { } body)
                throw new PeerException(Peer.Upstream, $"the upstream's answer is malformed: {error}");
            // An answer before the whole body went (a 413, a 401): the body stops, the answer goes to
            // the client, and both connections close, since neither is at a message boundary.
            var early = pump is { } started && await AnsweredEarlyAsync(started);
            var unchunk = body.Kind == BodyKind.Chunked && request.Minor == 0;
            var close = !keepAlive || body.Kind == BodyKind.UntilClose || unchunk || early;
            var keepUpstream = !early && body.Kind != BodyKind.UntilClose && (response.Minor == 1
                ? !response.HasToken("Connection"u8, "close"u8)
                : response.HasToken("Connection"u8, "keep-alive"u8));
            WriteResponseHead(response, body, unchunk, close, request.Minor);
            var (taken, scanner) = BodyRelay.TakeBuffered(upstream!, _head, body, unchunk);
            answering = true;
            status = response.Status;
            await _client.SendAsync(_head.Written, stopping);
            var done = body.Kind == BodyKind.Length && taken == body.Length || scanner?.Done == true;
            // The answer's body may stand still for the answer timeout at most, waiting on either side.
            var bytes = done ? taken : await BodyRelay.CopyAsync(upstream!, _client, body, unchunk, _timer.Token, taken, scanner, _answerWaits ??= AnswerWaits);
            if (keepUpstream)
                snapshot.Return(upstream!);
            else
                upstream!.Dispose();
            upstream = null;
            return new Outcome(response.Status, bytes, snapshot.Release, !close);
        }
        catch (PeerException ex) when (ex.Peer == Peer.Upstream && !answering)
        {
            return await RefuseAsync(ex.InnerException is OperationCanceledException && !stopping.IsCancellationRequested ? 504 : 502,
                ex.InnerException is OperationCanceledException ? "the upstream did not answer in time" : $"the upstream did not answer: {ex.Message}",
                close: true, snapshot?.Release ?? "-");
        }
        catch (PeerException ex) when (ex is { Peer: Peer.Client, InnerException: TimeoutException } && !answering)
        {
            return await RefuseAsync(408, $"{ex.Message} within {options.UpstreamTimeout.TotalSeconds:0} s", close: true, snapshot?.Release ?? "-");
        }
        catch (PeerException ex) when (ex.Peer == Peer.Client)
        {
            return new Outcome(499, 0, snapshot?.Release ?? "-", KeepAlive: false);
        }
        catch (Exception ex) when (ex is PeerException || ex is OperationCanceledException && answering)
        {
            // The upstream failed or stood still in the middle of its answer (or the client stopped
            // reading it): the client's connection is closed so it sees a cut answer, never a
            // complete-looking wrong one.
            return new Outcome(status, 0, snapshot?.Release ?? "-", KeepAlive: false);
        }
        finally
        {
            if (pump is { } unfinished)
                await EndBodyAsync(unfinished);
            upstream?.Dispose();
            snapshot?.Exit();
        }
    }

    /// <summary>
    /// The request head as the upstream gets it (hop-by-hop fields out, X-Forwarded-* in), with as
    /// much of the body as is buffered; the rest of the body, if any, goes on in a pump of its own
    /// while the answer is awaited.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<BodyPump?> SendRequestAsync(RequestHead request, BodyFraming framing, SocketBuffer upstream, UpstreamSnapshot snapshot, CancellationToken stopping)
    {
        var expectsContinue = framing.Kind != BodyKind.None && request.Minor == 1 && request.HasToken("Expect"u8, "100-continue"u8);
        var host = -1;
        // An absolute-form target goes on in origin form, as the upstream expects from a proxy (RFC 9112, 3.2.1).
        _head.StartRequest(request.Method, OriginForm(request.Target));
        for (var i = 0; i < request.Count; i++)
        {
            var name = request.Name(i);
            if (Ascii.EqualsIgnoreCase(name, "Host"u8))
                host = i;
            else if (HopHeaders.IsHop(request, i) || IsForwarded(name) || expectsContinue && Ascii.EqualsIgnoreCase(name, "Expect"u8))
                continue;
            _head.Header(name, request.Value(i));
        }
        if (host < 0)
            _head.Header("Host"u8, snapshot.BaseUri.Authority);
        // X-Forwarded-For: what earlier proxies said (every line of it, in order), then this client.
        _head.Append("X-Forwarded-For: "u8);
        for (var i = 0; i < request.Count; i++)
            if (Ascii.EqualsIgnoreCase(request.Name(i), "X-Forwarded-For"u8))
                _head.Append(request.Value(i)).Append(", "u8);
        _head.Text(_clientIp).Append(certificates is null ? "\r\nX-Forwarded-Proto: http\r\n"u8 : "\r\nX-Forwarded-Proto: https\r\n"u8);
        if (host >= 0)
            _head.Header("X-Forwarded-Host"u8, request.Value(host));
        if (framing.Kind == BodyKind.Chunked)
            _head.Header("Transfer-Encoding"u8, "chunked"u8);
        if (_upgrading && request.TryGet("Upgrade"u8, out var protocol))
            _head.Header("Connection"u8, "Upgrade"u8).Header("Upgrade"u8, protocol);
        _head.End();
        if (expectsContinue)
        {
            // The proxy answers the client's wait itself and sends the body on at once.
            await _client.SendAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), stopping);
        }
        var (taken, scanner) = BodyRelay.TakeBuffered(_client, _head, framing, unchunk: false);
        await upstream.SendAsync(_head.Written, stopping);
        var done = framing.Kind == BodyKind.None || framing.Kind == BodyKind.Length && taken == framing.Length || scanner?.Done == true;
        return done ? null : StartBody(upstream, framing, taken, scanner);
    }

    /// <summary>
    /// The upstream's answer head, past any interim (1xx) answers, within the answer timeout, which
    /// starts when the upstream has the whole request (a slow upload is not a slow upstream).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ResponseHead> ReadResponseHeadAsync(SocketBuffer upstream, BodyPump? pump)
    {
        if (pump is null)
            Arm(options.UpstreamTimeout);
        try
        {
            while (true)
            {
                int length;
                try
                {
                    length = await upstream.ReadHeadAsync(MaxHead, _timer.Token);
                }
                catch (OperationCanceledException ex)
                {
                    if (pump is { } failed)
                        ThrowBodyFailure(failed);
                    throw new PeerException(Peer.Upstream, "the upstream did not answer in time", ex);
                }
                catch (HeadTooLargeException ex)
                {
                    throw new PeerException(Peer.Upstream, "the upstream's answer head is too large", ex);
                }
                if (length == 0)
                    throw new PeerException(Peer.Upstream, "the upstream closed the connection without answering");
                var valid = _response.TryRead(upstream.Buffered.Span[..(length - 4)], out var error);
                upstream.Consume(length);
                if (!valid)
                    throw new PeerException(Peer.Upstream, $"the upstream's answer is malformed: {error}");
                if (_response.Status == 101)
                {
                    if (!_upgrading)
                        throw new PeerException(Peer.Upstream, "the upstream switched protocols, which the request did not ask for");
                    if (!_response.Has("Upgrade"u8))
                        throw new PeerException(Peer.Upstream, "the upstream switched protocols without naming one in Upgrade");
                    return _response;
                }
                if (_response.Status >= 200)
                    return _response;
            }
        }
        finally
        {
            Disarm();
        }
    }

    private void WriteResponseHead(ResponseHead response, BodyFraming body, bool unchunk, bool close, int clientMinor)
    {
        _head.StartResponse(response.Status, response.Reason);
        for (var i = 0; i < response.Count; i++)
            if (!HopHeaders.IsHop(response, i) && !(body.Kind == BodyKind.Chunked && Ascii.EqualsIgnoreCase(response.Name(i), "Content-Length"u8)))
                _head.Header(response.Name(i), response.Value(i));
        if (body.Kind == BodyKind.Chunked && !unchunk)
            _head.Header("Transfer-Encoding"u8, "chunked"u8);
        if (close)
            _head.Header("Connection"u8, "close"u8);
        else if (clientMinor == 0)
            _head.Header("Connection"u8, "keep-alive"u8);
        if (_splitCookie is not null)
            _head.Header("Set-Cookie"u8, _splitCookie);
        if (certificates is not null && _site!.Https.Hsts is { } hsts && !response.Has("Strict-Transport-Security"u8))
            _head.Header("Strict-Transport-Security"u8, hsts);
        _head.End();
    }

    private void AnswerWaits(Peer side) => Arm(options.UpstreamTimeout);

    /// <summary>X-Forwarded-* fields from the client: the proxy writes its own.</summary>
    private static bool IsForwarded(ReadOnlySpan<byte> name) =>
        Ascii.EqualsIgnoreCase(name, "X-Forwarded-For"u8) || Ascii.EqualsIgnoreCase(name, "X-Forwarded-Proto"u8)
        || Ascii.EqualsIgnoreCase(name, "X-Forwarded-Host"u8);

    private static bool IsRefused(PeerException ex) =>
        ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };
}
