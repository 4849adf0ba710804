using Crossfade.Contracts.V1;
using YamlDotNet.RepresentationModel;

namespace Crossfade.Core.Specs;

/// <summary>
/// The spec's <c>proxy:</c> — the public port, and under <c>tls:</c> the HTTPS port with its certificates per
/// host name (files on the hosts), the redirect of plain requests and HSTS.
/// </summary>
internal static class ProxySpecReader
{
    private const string Prefix = "proxy.";
    private const string TlsPrefix = "proxy.tls.";
    private const int MaxHstsSeconds = 2 * 365 * 24 * 3600;

    public static (int Port, ProxyTls? Tls, IReadOnlyList<string>? Hosts) Read(SpecNodeReader reader, YamlMappingNode root)
    {
        var node = reader.OptionalMapping(root, "proxy");
        if (node is null)
            return (8080, null, null);
        reader.RejectUnknownKeys(node, ["port", "hosts", "tls"], Prefix);
        var port = reader.OptionalInt(node, "port", 8080, 1, 65535, Prefix);
        var tls = reader.OptionalMapping(node, "tls", Prefix);
        var hosts = ReadHosts(reader, node);
        var settings = tls is null ? null : ReadTls(reader, tls, port);
        if (tls is not null && settings is not null && hosts is not null)
            CheckNamesAreOwn(reader, tls, settings, hosts);
        return (port, settings, hosts);
    }

    /// <summary>
    /// An app sharing its port by host name brings certificates for its own names only (or a wildcard standing
    /// for one of them): the proxy serves every app's certificates on one HTTPS port, and one app's must not
    /// answer for another's names.
    /// </summary>
    private static void CheckNamesAreOwn(SpecNodeReader reader, YamlMappingNode tls, ProxyTls settings, IReadOnlyList<string> hosts)
    {
        var items = (YamlSequenceNode)tls.Children[new YamlScalarNode("certificates")];
        for (var i = 0; i < settings.Certificates.Count; i++)
            foreach (var name in settings.Certificates[i].Hosts.Where(n => !Naming.DnsNames.Covers(hosts, n)))
                reader.ErrorAt((YamlMappingNode)items.Children[i], "hosts", $"'{name}' is none of proxy.hosts ({string.Join(", ", hosts)}): an app sharing its port brings certificates for its own names", $"{TlsPrefix}certificates[{i}].");
    }

    /// <summary>The host names this app answers on its port, which other apps may then share (none: the port is the app's alone).</summary>
    private static IReadOnlyList<string>? ReadHosts(SpecNodeReader reader, YamlMappingNode proxy)
    {
        if (!proxy.Children.TryGetValue(new YamlScalarNode("hosts"), out var node))
            return null;
        var hosts = reader.ScalarList(node, Prefix + "hosts");
        if (hosts.Count == 0)
            reader.ErrorAt(proxy, "hosts", "must name at least one host name (or leave it out: the port is then this app's alone)", Prefix);
        foreach (var host in hosts.Where(h => !Naming.DnsNames.IsName(h, wildcard: false)))
            reader.ErrorAt(proxy, "hosts", $"'{host}' is not a host name (letters, digits, '-' and '.')", Prefix);
        return hosts.Count == 0 ? null : hosts.Select(h => h.ToLowerInvariant()).Distinct().ToList();
    }

    private static ProxyTls? ReadTls(SpecNodeReader reader, YamlMappingNode tls, int plainPort)
    {
        reader.RejectUnknownKeys(tls, ["port", "certificates", "redirect_https", "hsts_max_age_seconds"], TlsPrefix);
        var port = reader.OptionalInt(tls, "port", 443, 1, 65535, TlsPrefix);
        if (port == plainPort)
            reader.ErrorAt(tls, "port", $"must differ from proxy.port ({plainPort})", TlsPrefix);
        var redirect = reader.OptionalString(tls, "redirect_https", TlsPrefix) is { } text && Flag(reader, tls, text);
        var hsts = reader.OptionalInt(tls, "hsts_max_age_seconds", 0, 0, MaxHstsSeconds, TlsPrefix);
        var certificates = new List<ProxyCertificate>();
        if (!tls.Children.TryGetValue(new YamlScalarNode("certificates"), out var list) || list is not YamlSequenceNode { Children.Count: > 0 } items)
        {
            reader.ErrorAt(tls, "certificates", "must list at least one certificate: hosts, cert and key", TlsPrefix, required: list is null);
            return null;
        }
        for (var i = 0; i < items.Children.Count; i++)
        {
            var field = $"{TlsPrefix}certificates[{i}].";
            if (items.Children[i] is not YamlMappingNode item)
            {
                reader.Error(items.Children[i], field.TrimEnd('.'), "must be a mapping with hosts, cert and key");
                continue;
            }
            reader.RejectUnknownKeys(item, ["hosts", "cert", "key"], field);
            var hosts = item.Children.TryGetValue(new YamlScalarNode("hosts"), out var h) ? reader.ScalarList(h, field + "hosts") : [];
            if (hosts.Count == 0)
                reader.ErrorAt(item, "hosts", "must name at least one host name", field, required: true);
            foreach (var host in hosts.Where(x => !Naming.DnsNames.IsName(x)))
                reader.ErrorAt(item, "hosts", $"'{host}' is not a host name ({Naming.DnsNames.Rule})", field);
            var cert = File(reader, item, "cert", field);
            var key = File(reader, item, "key", field);
            if (hosts.Count > 0 && cert is not null && key is not null)
                certificates.Add(new ProxyCertificate(hosts.Select(x => x.ToLowerInvariant()).ToList(), cert, key));
        }
        return certificates.Count == items.Children.Count ? new ProxyTls(port, certificates, redirect, hsts) : null;
    }

    /// <summary>A file on the hosts: an absolute path, plain enough to travel as one argument.</summary>
    private static string? File(SpecNodeReader reader, YamlMappingNode item, string key, string field)
    {
        var path = reader.RequiredString(item, key, field);
        if (path is null)
            return null;
        if (!path.StartsWith('/') || path.Contains("..", StringComparison.Ordinal) || !path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-'))
        {
            reader.ErrorAt(item, key, $"'{path}' must be an absolute path on the hosts, of letters, digits and / . _ -", field);
            return null;
        }
        return path;
    }

    private static bool Flag(SpecNodeReader reader, YamlMappingNode tls, string text)
    {
        if (bool.TryParse(text, out var value))
            return value;
        reader.ErrorAt(tls, "redirect_https", $"must be true or false, not '{text}'", TlsPrefix);
        return false;
    }
}
