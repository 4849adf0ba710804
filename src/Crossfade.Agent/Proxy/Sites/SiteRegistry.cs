using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Agent.Proxy.Sites;

/// <summary>
/// The named sites of a proxy: registered by the agent on the control port, kept in the proxy's sites file,
/// and routed again from it when the proxy restarts. A site registered again with other host names keeps its
/// upstream, split and access log. Its HTTPS settings (certificates for its names, redirect, HSTS) change in
/// place, without a restart; they need the proxy's HTTPS port.
/// </summary>
public sealed class SiteRegistry : IDisposable
{
    private readonly SiteRouter _router;
    private readonly ProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly Tls.ProxyCertificates? _certificates;
    private readonly Tls.HttpsPort? _https;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SiteRequest> _requests;

    public SiteRegistry(SiteRouter router, ProxyOptions options, TimeProvider time, Tls.ProxyCertificates? certificates = null, Tls.HttpsPort? https = null,
        Action<string>? warn = null)
    {
        (_router, _options, _time, _certificates, _https) = (router, options, time, certificates, https);
        _requests = options.SitesRoot is null ? [] : SitesFile.Load(options.SitesFile);
        foreach (var (name, request) in _requests.ToList())
        {
            if (!Core.Naming.FolderNames.IsName(name) || request.Problem() is not null || router.Set(Create(name, request)) is not null)
            {
                _requests.Remove(name);
                continue;
            }
            // A site whose certificate files broke while the proxy was down is still routed; HTTPS for it waits for good files.
            if (HttpsProblem(request) is null)
                TryCertificates(name, request, warn);
        }
    }

    /// <summary>Why the proxy cannot give the site the HTTPS it asks for, or null.</summary>
    private string? HttpsProblem(SiteRequest request) =>
        _https?.Port is null && request.Https is { } https && (https.Certificates is { Count: > 0 } || https.RedirectHttps || https.HstsMaxAgeSeconds > 0)
            ? "this proxy serves no HTTPS port (--tls-port, or PUT /tls/port): a site's certificates, redirect and HSTS need one"
            : null;

    /// <summary>Serves a restored site's certificates and HTTPS policy; files that do not load are said, and skipped.</summary>
    private void TryCertificates(string name, SiteRequest request, Action<string>? warn)
    {
        try
        {
            _certificates?.Set(name, request.Https?.Normalized() ?? []);
            if (_router.Find(name) is { } site)
                site.Https = Tls.HttpsPolicy.From(request.Https);
        }
        catch (ArgumentException ex)
        {
            warn?.Invoke($"site '{name}': {ex.Message}");
        }
    }

    /// <summary>A site's files are its app's own under the sites root (the agent's layout): its state file and access log.</summary>
    private ProxySite Create(string name, SiteRequest request)
    {
        var layout = new HostLayout(_options.SitesRoot!, name);
        Directory.CreateDirectory(layout.Logs);
        return new ProxySite(name, request.Hosts.Select(h => h.ToLowerInvariant()).ToList(), layout.ProxyState, new AccessLogWriter(layout.AccessLog, _time))
            .Restore(_options.ConnectTimeout);
    }

    /// <summary>Adds a site or changes its host names (its upstream, split and log stay): null when done, otherwise (status, why not).</summary>
    public (int Status, string Problem)? Set(string name, SiteRequest request)
    {
        if (!Core.Naming.FolderNames.IsName(name))
            return (400, $"'{name}' is not a site name: {Core.Naming.FolderNames.NameRule}");
        if (_options.SitesFile is null || _options.SitesRoot is null)
            return (409, "this proxy was started without --sites and --sites-root: it serves one app");
        if (request.Problem() is { } problem)
            return (400, problem);
        if (HttpsProblem(request) is { } noHttps)
            return (409, noHttps);
        lock (_lock)
        {
            var hosts = request.Hosts.Select(h => h.ToLowerInvariant()).ToList();
            if (_router.ClashOf(name, hosts) is { } clash)
                return (409, clash);
            var existing = _router.Find(name);
            // Its certificates are read before anything changes: files that do not load leave the site as it was.
            try
            {
                _certificates?.Set(name, request.Https?.Normalized() ?? []);
            }
            catch (ArgumentException ex)
            {
                return (400, ex.Message);
            }
            var site = existing is not null ? existing.WithHosts(hosts) : Create(name, request);
            site.Https = Tls.HttpsPolicy.From(request.Https);
            _router.Set(site);
            _requests[name] = request;
            SitesFile.Save(_options.SitesFile, _requests);
            return null;
        }
    }

    /// <summary>The named sites as the control port lists them.</summary>
    public IReadOnlyList<SiteView> Views()
    {
        lock (_lock)
            return _router.Named.Select(s => new SiteView(s.Name, s.Hosts, s.Table.Current?.Release, _requests.GetValueOrDefault(s.Name)?.Https)).ToList();
    }

    /// <summary>Removes a site: no new request reaches it, and once those in flight finish its upstream connections and log are closed.</summary>
    public bool Remove(string name)
    {
        lock (_lock)
        {
            var site = _router.Find(name);
            if (name == ProxySite.Default || site is null || !_router.Remove(name))
                return false;
            _requests.Remove(name);
            SitesFile.Save(_options.SitesFile, _requests);
            _certificates?.Remove(name);
            _ = Retire(site);
            return true;
        }
    }

    /// <summary>Waits, bounded, for a removed site's requests to finish, then closes its upstream connections and its log.</summary>
    private async Task Retire(ProxySite site)
    {
        var snapshots = new[] { site.Table.Current, site.Table.Split?.Candidate }.OfType<UpstreamSnapshot>().ToList();
        var started = _time.GetTimestamp();
        while (snapshots.Any(s => s.InFlight > 0) && _time.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time);
        foreach (var snapshot in snapshots)
            snapshot.Dispose();
        await site.AccessLog.DisposeAsync();
    }

    public void Dispose()
    {
        foreach (var site in _router.Named)
            site.AccessLog.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
    }
}

/// <summary>The control port's <c>/sites</c>: list, register (<c>PUT /sites/{name}</c>) and remove named sites.</summary>
public static class SiteEndpoints
{
    public static void MapSites(this IEndpointRouteBuilder routes, SiteRegistry registry)
    {
        routes.MapGet("/sites", () => Results.Ok(registry.Views()));
        routes.MapPut("/sites/{name}", (string name, SiteRequest request) =>
            registry.Set(name, request) is { } refused ? Results.Problem(detail: refused.Problem, statusCode: refused.Status) : Results.NoContent());
        routes.MapDelete("/sites/{name}", (string name) =>
            registry.Remove(name) ? Results.NoContent() : Results.Problem(detail: $"no site named '{name}'", statusCode: 404));
    }
}

/// <summary>A named site as the control port lists it: its names, its live release, and what it asks of the HTTPS port.</summary>
public sealed record SiteView(string Name, IReadOnlyList<string> Hosts, string? Release, Tls.HttpsSettings? Https = null);
