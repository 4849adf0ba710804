using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Crossfade.Core.Links;

/// <summary>
/// A self-signed TLS server certificate for some names and addresses, with a new ECDSA P-256 key, written as PEM
/// files the way a renewal tool writes them: each beside its place and renamed over it (a reader never sees half
/// a file), the key readable by its owner only.
/// </summary>
public static class SelfSignedPem
{
    public static void Write(string certPath, string keyPath, string commonName, IEnumerable<string> names, IEnumerable<IPAddress> addresses,
        DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(certPath))!);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
            san.AddDnsName(name);
        foreach (var address in addresses.Distinct())
            san.AddIpAddress(address);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        Files.PrivateFile.Write(keyPath, key.ExportPkcs8PrivateKeyPem());
        var certTemp = certPath + ".new";
        File.WriteAllText(certTemp, certificate.ExportCertificatePem());
        File.Move(certTemp, certPath, overwrite: true);
    }
}
