using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Crossfade.Agent.Proxy.Tls;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>Self-signed certificates written as PEM files, as an operator would place them for the proxy.</summary>
internal static class TestCertificates
{
    /// <summary>Writes <c>{file}.crt</c> and <c>{file}.key</c> in <paramref name="dir"/> for <paramref name="names"/>, with <paramref name="commonName"/> as its subject.</summary>
    public static CertificateFiles Write(string dir, string file, string commonName, params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
            san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        var (certPath, keyPath) = (Path.Combine(dir, file + ".crt"), Path.Combine(dir, file + ".key"));
        // Written beside and renamed over, as a renewal tool does: a reader never sees half a file.
        File.WriteAllText(keyPath + ".new", key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath + ".new", cert.ExportCertificatePem());
        File.Move(keyPath + ".new", keyPath, overwrite: true);
        File.Move(certPath + ".new", certPath, overwrite: true);
        return new CertificateFiles(names, certPath, keyPath);
    }
}
