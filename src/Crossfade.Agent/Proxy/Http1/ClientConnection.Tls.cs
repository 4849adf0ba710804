using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>
/// HTTPS at the proxy: the TLS session a connection on the HTTPS port opens with (its certificate chosen by the
/// name the client asks for), and the redirect from the plain port to the HTTPS one.
/// </summary>
internal sealed partial class ClientConnection
{
    /// <summary>Runs the TLS handshake within the head timeout; false (counted) when it fails or takes too long.</summary>
    private async Task<bool> HandshakeAsync(Tls.ProxyCertificates certificates)
    {
        // A TLS session opens with a handshake record (type 22); anything else is most likely plain HTTP sent
        // to the HTTPS port, and gets told so instead of waiting out a record that never comes.
        var first = new byte[1];
        try
        {
            if (await _client.Socket.ReceiveAsync(first, SocketFlags.Peek, _timer.Token) == 0)
                return false;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            counters.HandshakeFailed();
            return false;
        }
        if (first[0] != 22)
        {
            counters.HandshakeFailed();
            // What it sent is read and dropped before the close, so the answer is not lost to a reset.
            _linger = true;
            await TryAsync(() => RefuseAsync(400, "this port speaks HTTPS: use https://", close: true).AsTask());
            return false;
        }
        var tls = new SslStream(new NetworkStream(_client.Socket, ownsSocket: false), leaveInnerStreamOpen: false);
        _client.UseStream(tls);
        try
        {
            await tls.AuthenticateAsServerAsync(
                static (_, hello, state, _) => ValueTask.FromResult(((Tls.ProxyCertificates)state!).For(hello.ServerName)), certificates, _timer.Token);
            return true;
        }
        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            counters.HandshakeFailed();
            return false;
        }
    }

    /// <summary>
    /// A plain request sent to the same host and path over HTTPS (308 keeps the method and body): the host it was
    /// routed by (an absolute-form target's own), so the redirect goes where the app that asked for it is served.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> RedirectAsync(RequestHead request, string host, bool keepAlive)
    {
        var colon = host.StartsWith('[') ? host.IndexOf("]:", StringComparison.Ordinal) + 1 : host.LastIndexOf(':');
        var name = colon > 0 ? host[..colon] : host;
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '[' or ']' or ':'))
            return await RefuseAsync(400, "the request's Host is not a name an HTTPS address can be made of", close: true);
        var tlsPort = https.Port;
        var port = tlsPort is 443 or null ? "" : $":{tlsPort}";
        var target = OriginForm(request.Target);
        var location = $"https://{name}{port}{(target.StartsWith('/') ? target : "/")}";
        var body = Encoding.UTF8.GetBytes($"this site is served over HTTPS: {location}\n");
        _head.StartResponse(308, "Permanent Redirect"u8)
            .Header("Location"u8, location)
            .Header("Content-Type"u8, "text/plain; charset=utf-8"u8)
            .Header("Content-Length"u8, body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!keepAlive)
            _head.Header("Connection"u8, "close"u8);
        _head.End().Append(body);
        await _client.SendAsync(_head.Written, CancellationToken.None);
        return new Outcome(308, body.Length, "-", keepAlive);
    }
}
