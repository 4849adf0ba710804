namespace Crossfade.Agent.Proxy.Tls;

/// <summary>
/// A certificate the proxy serves for some host names: a PEM certificate file (with its chain) and its PEM key
/// file. A name may be a wildcard of one label (<c>*.shop.example</c>).
/// </summary>
public sealed record CertificateFiles(IReadOnlyList<string> Names, string CertPath, string KeyPath)
{
    /// <summary>Reads <c>name[,name…]=cert.pem,key.pem</c>, as the proxy's <c>--cert</c> takes it.</summary>
    public static CertificateFiles Parse(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var files = equals > 0 ? text[(equals + 1)..].Split(',') : [];
        if (equals <= 0 || files.Length != 2 || files.Any(f => f.Length == 0))
            throw new ArgumentException($"--cert '{text}' must be name[,name…]=cert.pem,key.pem");
        var names = text[..equals].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
            if (!Core.Naming.DnsNames.IsName(name))
                throw new ArgumentException($"--cert: '{name}' is not a host name ({Core.Naming.DnsNames.Rule})");
        return new CertificateFiles(names.Select(n => n.ToLowerInvariant()).ToList(), files[0], files[1]);
    }
}
