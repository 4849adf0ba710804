using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Crossfade.Core.Links;

/// <summary>
/// A server's identity as a host or a person pins it: the SHA-256 of its certificate's public key (the
/// SubjectPublicKeyInfo, as HPKP and curl's <c>--pinnedpubkey</c> hash it), written <c>sha256:&lt;64 hex&gt;</c>.
/// The key, not the certificate: a certificate renewed over the same key keeps its pin.
/// </summary>
public static class KeyPin
{
    public const string Prefix = "sha256:";

    public static string Of(X509Certificate2 certificate) =>
        Prefix + Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    /// <summary>The pin in its one spelling, from <c>sha256:HEX</c>, bare hex, or hex with colons (as openssl prints); null when it is not a pin.</summary>
    public static string? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var hex = text.Trim();
        if (hex.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            hex = hex[Prefix.Length..];
        hex = hex.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        return hex.Length == 64 && hex.All(Uri.IsHexDigit) ? Prefix + hex : null;
    }
}
