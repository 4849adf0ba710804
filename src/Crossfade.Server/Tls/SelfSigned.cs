using System.Net;

namespace Crossfade.Server.Tls;

/// <summary>
/// Makes the server's own certificate on first start: an ECDSA P-256 key (the file readable by the server's
/// user only) and a certificate for this machine's names and the addresses it listens on. Nobody vouches for
/// it; agents and people trust it by its key pin, which enrollment tokens carry.
/// </summary>
public static class SelfSigned
{
    public static void Write(string certPath, string keyPath, string urls, DateTimeOffset now)
    {
        var listening = Listening(urls).ToList();
        var addresses = new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }
            .Concat(listening.Select(h => IPAddress.TryParse(h, out var a) ? a : null).OfType<IPAddress>())
            .Where(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any));
        Core.Links.SelfSignedPem.Write(certPath, keyPath, $"crossfade server {Environment.MachineName}",
            new[] { "localhost", Environment.MachineName }.Concat(listening.Where(h => !IPAddress.TryParse(h, out _))), addresses, now.AddDays(-1), now.AddYears(10));
    }

    /// <summary>The host parts of the listen addresses (<c>https://10.0.0.5:7400</c> gives <c>10.0.0.5</c>).</summary>
    public static IEnumerable<string> Listening(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(ListenUrl.HostOf).Where(h => h is not (null or "*" or "+" or "0.0.0.0" or "::")).Select(h => h!);
}
