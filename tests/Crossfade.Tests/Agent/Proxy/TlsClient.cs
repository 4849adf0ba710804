using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>A client of the proxy's HTTPS port: a TLS connection naming a host, the certificate it was shown, and GETs on it.</summary>
internal static class TlsClient
{
    /// <summary>A TLS connection naming <paramref name="serverName"/>, and the certificate it was shown.</summary>
    public static async Task<(SslStream Tls, X509Certificate2 Seen)> ConnectAsync(int port, string serverName)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        X509Certificate2? seen = null;
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, cert, _, _) => (seen = new X509Certificate2(cert!)) is not null,
        });
        return (tls, seen!);
    }

    /// <summary>One GET on an open connection: the whole answer (its length known from Content-Length).</summary>
    public static async Task<string> GetAsync(SslStream tls, string host, string path)
    {
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"));
        var received = new StringBuilder();
        var buffer = new byte[16384];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!Complete(received.ToString()))
        {
            var n = await tls.ReadAsync(buffer, limit.Token);
            if (n == 0)
                break;
            received.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        return received.ToString();
    }

    private static bool Complete(string answer)
    {
        var end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
            return false;
        var length = answer[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return length is not null && answer.Length - end - 4 >= int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
