using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Agent.Proxy.Sites;

/// <summary>
/// The named sites of a proxy: registered by the agent on the control port, kept in the proxy's sites file,
/// and routed again from it when the proxy restarts. A site registered again with other host names keeps its
/// upstream, split and access log; one with another state file or access log starts from that file.
/// </summary>
public sealed class SiteRegistry : IDisposable
{
    private readonly SiteRouter _router;
    private readonly ProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SiteRequest> _requests;

    public SiteRegistry(SiteRouter router, ProxyOptions options, TimeProvider time)
    {
        (_router, _options, _time) = (router, options, time);
        _requests = SitesFile.Load(options.SitesFile);
        foreach (var (name, request) in _requests.ToList())
            if (!Core.Naming.FolderNames.IsName(name) || request.Problem() is not null || router.Set(Create(name, request)) is not null)
                _requests.Remove(name);
    }

    private ProxySite Create(string name, SiteRequest request) =>
        new ProxySite(name, request.Hosts.Select(h => h.ToLowerInvariant()).ToList(), request.StateFile, new AccessLogWriter(request.AccessLog, _time)).Restore(_options.ConnectTimeout);

    /// <summary>Adds or changes a site: null when done, otherwise (status, why not).</summary>
    public (int Status, string Problem)? Set(string name, SiteRequest request)
    {
        if (!Core.Naming.FolderNames.IsName(name))
            return (400, $"'{name}' is not a site name: {Core.Naming.FolderNames.NameRule}");
        if (_options.SitesFile is null)
            return (409, "this proxy was started without --sites: it serves one app");
        if (request.Problem() is { } problem)
            return (400, problem);
        lock (_lock)
        {
            var existing = _router.Find(name);
            var same = existing is not null && existing.StateFile == request.StateFile && _requests[name].AccessLog == request.AccessLog;
            var site = same
                ? existing!.WithHosts(request.Hosts.Select(h => h.ToLowerInvariant()).ToList())
                : Create(name, request);
            if (_router.Set(site) is { } clash)
            {
                if (!same)
                    _ = site.AccessLog.DisposeAsync();
                return (409, clash);
            }
            if (existing is not null && !same)
                _ = existing.AccessLog.DisposeAsync();
            _requests[name] = request;
            SitesFile.Save(_options.SitesFile, _requests);
            return null;
        }
    }

    /// <summary>Removes a site (its requests in flight finish); false when there was none.</summary>
    public bool Remove(string name)
    {
        lock (_lock)
        {
            var site = _router.Find(name);
            if (name == ProxySite.Default || site is null || !_router.Remove(name))
                return false;
            _requests.Remove(name);
            SitesFile.Save(_options.SitesFile, _requests);
            _ = site.AccessLog.DisposeAsync();
            return true;
        }
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
        routes.MapGet("/sites", (SiteRouter router) => Results.Ok(router.Named.Select(s => new SiteView(s.Name, s.Hosts, s.Table.Current?.Release))));
        routes.MapPut("/sites/{name}", (string name, SiteRequest request) =>
            registry.Set(name, request) is { } refused ? Results.Problem(detail: refused.Problem, statusCode: refused.Status) : Results.NoContent());
        routes.MapDelete("/sites/{name}", (string name) =>
            registry.Remove(name) ? Results.NoContent() : Results.Problem(detail: $"no site named '{name}'", statusCode: 404));
    }
}

/// <summary>A named site as the control port lists it.</summary>
public sealed record SiteView(string Name, IReadOnlyList<string> Hosts, string? Release);
