using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

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
        Directory.CreateDirectory(Path.GetDirectoryName(certPath)!);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=crossfade server {Environment.MachineName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in new[] { "localhost", Environment.MachineName }.Concat(Listening(urls).Where(h => !IPAddress.TryParse(h, out _))).Distinct(StringComparer.OrdinalIgnoreCase))
            names.AddDnsName(name);
        foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }.Concat(Listening(urls).Select(h => IPAddress.TryParse(h, out var a) ? a : null).OfType<IPAddress>()).Distinct())
        {
            if (!address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any))
                names.AddIpAddress(address);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        Core.Files.PrivateFile.Write(keyPath, key.ExportPkcs8PrivateKeyPem());
        var certTemp = certPath + ".new";
        File.WriteAllText(certTemp, certificate.ExportCertificatePem());
        File.Move(certTemp, certPath, overwrite: true);
    }

    /// <summary>The host parts of the listen addresses (<c>https://10.0.0.5:7400</c> gives <c>10.0.0.5</c>).</summary>
    public static IEnumerable<string> Listening(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(ListenUrl.HostOf).Where(h => h is not (null or "*" or "+" or "0.0.0.0" or "::")).Select(h => h!);
}
