using Crossfade.Agent.Proxy.Tls;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>Self-signed certificates written as PEM files, as an operator would place them for the proxy.</summary>
internal static class TestCertificates
{
    /// <summary>Writes <c>{file}.crt</c> and <c>{file}.key</c> in <paramref name="dir"/> for <paramref name="names"/>, with <paramref name="commonName"/> as its subject.</summary>
    public static CertificateFiles Write(string dir, string file, string commonName, params string[] names)
    {
        var (certPath, keyPath) = (Path.Combine(dir, file + ".crt"), Path.Combine(dir, file + ".key"));
        Crossfade.Core.Links.SelfSignedPem.Write(certPath, keyPath, commonName, names, [], DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        return new CertificateFiles(names, certPath, keyPath);
    }
}
