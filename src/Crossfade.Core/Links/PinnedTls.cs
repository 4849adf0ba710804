using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Crossfade.Core.Links;

/// <summary>
/// The HTTP handler every link to the server uses (agent, CLI): with a pin, the server must present a
/// certificate over exactly that key, whoever signed it; without one, the system's certificate authorities
/// decide, as for any HTTPS site. What the server presented is kept, so a refusal can say what was seen.
/// </summary>
public sealed class PinnedTls(string? pin)
{
    private string? _seen;

    public string? Pin { get; } = KeyPin.Parse(pin);

    /// <summary>The pin of the last certificate the server presented that was refused; null when none was.</summary>
    public string? Refused => Volatile.Read(ref _seen);

    public SocketsHttpHandler Handler() => new()
    {
        UseProxy = false,
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Check },
    };

    private bool Check(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
            return false;
        var seen = certificate is X509Certificate2 full ? KeyPin.Of(full) : PinOfRaw(certificate);
        var trusted = Pin is null ? errors == SslPolicyErrors.None : seen == Pin;
        Volatile.Write(ref _seen, trusted ? null : seen);
        return trusted;
    }

    private static string PinOfRaw(X509Certificate certificate)
    {
        using var loaded = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return KeyPin.Of(loaded);
    }

    /// <summary>Why the server was not trusted, with what to do; null when it was (or never presented anything).</summary>
    public string? Explain(string server, string fix) => Refused is not { } seen ? null
        : Pin is not null
            ? $"the server at {server} presented a certificate over the key {seen}, but this link pinned {Pin}: it refuses to talk. If the server's key changed on purpose, {fix}; if not, something is between you and the server"
            : $"the server at {server} presented a certificate (key {seen}) that no authority this system trusts vouches for; pin it with a token that carries its fingerprint, or --fingerprint {seen} once you have checked it on the server";
}
