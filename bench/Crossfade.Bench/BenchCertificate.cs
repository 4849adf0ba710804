using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Crossfade.Bench;

/// <summary>The one certificate both proxies serve in the HTTPS rounds, and what a connection to each negotiates.</summary>
public static class BenchCertificate
{
    public const string Name = "bench.test";

    /// <summary>Writes a self-signed ECDSA P-256 certificate for <see cref="Name"/> and its key as PEM files in <paramref name="dir"/>.</summary>
    public static (string Cert, string Key) Write(string dir)
    {
        var (certPath, keyPath) = (Path.Combine(dir, "bench.crt"), Path.Combine(dir, "bench.key"));
        Core.Links.SelfSignedPem.Write(certPath, keyPath, Name, [Name], [IPAddress.Loopback], DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return (certPath, keyPath);
    }

    /// <summary>The protocol and cipher suite a TLS client settles on with the server at <paramref name="port"/>.</summary>
    public static async Task<string> CipherAsync(int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = Name, RemoteCertificateValidationCallback = (_, _, _, _) => true });
        return $"{tls.SslProtocol} {tls.NegotiatedCipherSuite}";
    }
}
