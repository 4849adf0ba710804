namespace Crossfade.Agent.Proxy.Tls;

/// <summary>
/// What one app asks of the proxy's HTTPS port, given on the control port (the catch-all app's with
/// <c>PUT /tls</c>, a named site's with its registration) and applied without a restart: the certificates
/// served for its names, whether its plain requests are sent to HTTPS, and HSTS. The HTTPS port itself is the
/// proxy's, set when it starts.
/// </summary>
public sealed record HttpsSettings(IReadOnlyList<CertificateFiles>? Certificates = null, bool RedirectHttps = false, long? HstsMaxAgeSeconds = null)
{
    private const long MaxHstsSeconds = 2L * 365 * 24 * 3600;

    /// <summary>Why the settings cannot be taken, or null. A named site's certificates may be only for its own <paramref name="hosts"/>.</summary>
    public string? Problem(IReadOnlyList<string>? hosts)
    {
        if (HstsMaxAgeSeconds is < 0 or > MaxHstsSeconds)
            return $"hstsMaxAgeSeconds must be 0 to {MaxHstsSeconds} (two years), not {HstsMaxAgeSeconds}";
        // A named site sent to HTTPS, or told to stay there, must have its own certificate to be shown there.
        if (hosts is not null && (RedirectHttps || HstsMaxAgeSeconds > 0) && Certificates is not { Count: > 0 })
            return "an app asking for the redirect to HTTPS or for HSTS brings its own certificate";
        foreach (var certificate in Certificates ?? [])
        {
            if (certificate?.Names is not { Count: > 0 } names || names.Any(n => n is null) || certificate.CertPath is null || certificate.KeyPath is null)
                return "each certificate needs names, certPath and keyPath";
            if (names.FirstOrDefault(n => !Core.Naming.DnsNames.IsName(n)) is { } bad)
                return $"'{bad}' is not a certificate name ({Core.Naming.DnsNames.Rule})";
            if (new[] { certificate.CertPath, certificate.KeyPath }.FirstOrDefault(p => !IsPlainPath(p)) is { } path)
                return $"'{path}' must be an absolute path of letters, digits and / . _ - (as in the spec)";
            if (hosts is not null && names.FirstOrDefault(n => !Core.Naming.DnsNames.Covers(hosts, n)) is { } foreign)
                return $"the certificate name '{foreign}' is none of this app's host names ({string.Join(", ", hosts)})";
        }
        return null;
    }

    /// <summary>An absolute path without <c>..</c>, of plain characters only: the spec's rule for files on the hosts.</summary>
    private static bool IsPlainPath(string path) =>
        path.StartsWith('/') && !path.Contains("..", StringComparison.Ordinal) && path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-');

    /// <summary>The Strict-Transport-Security value HTTPS answers carry, or null.</summary>
    public string? Hsts => HstsMaxAgeSeconds is { } seconds and > 0 ? $"max-age={seconds}" : null;

    /// <summary>The certificates with their names as the proxy matches them (lower case).</summary>
    public IReadOnlyList<CertificateFiles> Normalized() =>
        (Certificates ?? []).Select(c => c with { Names = c.Names.Select(n => n.ToLowerInvariant()).ToList() }).ToList();
}
