using System.Text.Json;

namespace Crossfade.Agent.Proxy.Sites;

/// <summary>
/// A named site as the agent registers it on the control port (<c>PUT /sites/{name}</c>) and as the proxy keeps
/// its sites on disk: the host names routed to it, and what it asks of the proxy's HTTPS port (its own
/// certificates, for its own names only; its redirect; its HSTS). Where its upstream state and access records go is not
/// asked: they are the app's own files under the proxy's <c>--sites-root</c> (the agent's root), so whoever
/// reaches the control port cannot have the proxy write anywhere else.
/// </summary>
public sealed record SiteRequest(IReadOnlyList<string> Hosts, Tls.HttpsSettings? Https = null)
{
    /// <summary>Why the request cannot be taken, or null.</summary>
    public string? Problem()
    {
        if (Hosts is null || Hosts.Count == 0)
            return "a site needs at least one host name";
        if (Hosts.FirstOrDefault(h => !Core.Naming.DnsNames.IsName(h, wildcard: false)) is { } bad)
            return $"'{bad}' is not a host name ({Core.Naming.DnsNames.Rule}, without a wildcard)";
        return Https?.Problem(Hosts);
    }
}

/// <summary>The named sites of a proxy, kept in one file (replaced whole) so that a restarted proxy routes them again.</summary>
public static class SitesFile
{
    public static Dictionary<string, SiteRequest> Load(string? path)
    {
        if (path is null || !File.Exists(path))
            return [];
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, SiteRequest>>(File.ReadAllText(path)) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public static void Save(string? path, IReadOnlyDictionary<string, SiteRequest> sites)
    {
        if (path is null)
            return;
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(sites));
        File.Move(temp, path, overwrite: true);
    }
}
