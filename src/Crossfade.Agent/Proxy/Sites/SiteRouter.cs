using System.Text;

namespace Crossfade.Agent.Proxy.Sites;

/// <summary>
/// Which site a request is for, by its Host (port left out, case ignored): the site that names the host, else
/// the catch-all site when there is one, else none (the proxy answers 404). Sites are added and removed as
/// whole new tables, so a request reads one consistent table without a lock; with only a catch-all site (one
/// app on the port) no host is looked at.
/// </summary>
public sealed class SiteRouter
{
    private const int MaxHost = 255;

    private sealed record Routes(ProxySite? Default, IReadOnlyDictionary<string, ProxySite> Named, Dictionary<string, ProxySite> ByHost)
    {
        public Dictionary<string, ProxySite>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } = ByHost.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private volatile Routes _routes;
    private readonly Lock _changing = new();

    public SiteRouter(ProxySite? catchAll) =>
        _routes = new Routes(catchAll, new Dictionary<string, ProxySite>(StringComparer.Ordinal), new Dictionary<string, ProxySite>(StringComparer.Ordinal));

    public ProxySite? Default => _routes.Default;

    public IReadOnlyCollection<ProxySite> Named => _routes.Named.Values.ToList();

    public ProxySite? Find(string name) => name == ProxySite.Default ? _routes.Default : _routes.Named.GetValueOrDefault(name);

    /// <summary>The site for a host name (as a TLS client names it).</summary>
    public ProxySite? For(string host) => host.Length > MaxHost || !Ascii.IsValid(host) ? _routes.Default : For(Encoding.ASCII.GetBytes(host));

    /// <summary>The site for a request's Host header value (raw bytes, as received).</summary>
    public ProxySite? For(ReadOnlySpan<byte> host)
    {
        var routes = _routes;
        if (routes.ByHost.Count == 0 || host.Length is 0 or > MaxHost)
            return routes.Default;
        Span<char> name = stackalloc char[host.Length];
        var length = 0;
        foreach (var b in host)
        {
            if (b == (byte)':')
                break;
            name[length++] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b);
        }
        // A trailing dot names the same host.
        if (length > 0 && name[length - 1] == '.')
            length--;
        return routes.Lookup.TryGetValue(name[..length], out var site) ? site : routes.Default;
    }

    /// <summary>Why the named site could not be routed for <paramref name="hosts"/> (a host another site has), or null.</summary>
    public string? ClashOf(string name, IEnumerable<string> hosts)
    {
        var routes = _routes;
        foreach (var host in hosts)
            if (routes.ByHost.TryGetValue(host, out var other) && other.Name != name)
                return $"host '{host}' is routed to '{other.Name}' already";
        return null;
    }

    /// <summary>Adds or replaces a named site; null when done, otherwise why not (a host another site has).</summary>
    public string? Set(ProxySite site)
    {
        lock (_changing)
        {
            var routes = _routes;
            if (ClashOf(site.Name, site.Hosts) is { } clash)
                return clash;
            var named = new Dictionary<string, ProxySite>(routes.Named, StringComparer.Ordinal) { [site.Name] = site };
            _routes = new Routes(routes.Default, named, HostsOf(named.Values));
            return null;
        }
    }

    /// <summary>Removes a named site; false when there was none.</summary>
    public bool Remove(string name)
    {
        lock (_changing)
        {
            var routes = _routes;
            if (!routes.Named.ContainsKey(name))
                return false;
            var named = new Dictionary<string, ProxySite>(routes.Named, StringComparer.Ordinal);
            named.Remove(name);
            _routes = new Routes(routes.Default, named, HostsOf(named.Values));
            return true;
        }
    }

    private static Dictionary<string, ProxySite> HostsOf(IEnumerable<ProxySite> sites)
    {
        var byHost = new Dictionary<string, ProxySite>(StringComparer.Ordinal);
        foreach (var site in sites)
            foreach (var host in site.Hosts)
                byHost[host] = site;
        return byHost;
    }

    /// <summary>A request's host as a person reads it, for a refusal.</summary>
    public static string Describe(ReadOnlySpan<byte> host) =>
        host.Length is 0 or > MaxHost ? "(none)" : Encoding.ASCII.GetString(host);
}
