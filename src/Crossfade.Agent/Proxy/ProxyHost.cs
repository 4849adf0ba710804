using Crossfade.Agent.Proxy.Http1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crossfade.Agent.Proxy;

/// <summary>
/// The <c>crossfade proxy</c> process: the public port forwards to the live upstream; a loopback
/// control port lets the agent read and swap it.
/// </summary>
public static class ProxyHost
{
    public static WebApplication Build(ProxyOptions options, TimeProvider? time = null)
    {
        options.Validate();
        var clock = time ?? TimeProvider.System;
        // The proxy reads no config files: no reload watcher, and a content root away from the app folder,
        // where its own access log is written (a watcher there wakes on every flush; measured in BENCHMARKS.md).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Kestrel serves only the control port; the public port is the proxy's own HTTP/1.1 relay.
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(System.Net.IPAddress.Loopback, options.ControlPort, l => l.Protocols = HttpProtocols.Http1);
        });
        var accessLog = new AccessLogWriter(options.AccessLog, clock);
        builder.Services.AddSingleton(accessLog);
        // The catch-all site is the proxy's own --state and --access-log (one app on the port); a proxy of named
        // sites only (--sites without --state) answers a host none of them names with a 404.
        var catchAll = options.SitesFile is null || options.StateFile is not null
            ? new Sites.ProxySite(Sites.ProxySite.Default, [], options.StateFile, accessLog).Restore(options.ConnectTimeout)
            : null;
        var router = new Sites.SiteRouter(catchAll);
        builder.Services.AddSingleton(router);
        var counters = new ProxyCounters();
        // HTTPS: the certificates are read now (a bad one stops the start, saying why) and again when their files change.
        void Warn(string why) => Console.Error.WriteLine($"crossfade proxy: {why}");
        // The HTTPS port may be opened, moved or closed later on the control port; the certificates are there for it.
        var https = new Tls.HttpsPort(options.TlsPort);
        var certificates = new Tls.ProxyCertificates(options.Certificates, clock, Warn, name => router.For(name)?.Name);
        if (catchAll is not null)
            catchAll.Https = Tls.HttpsPolicy.From(new Tls.HttpsSettings(null, options.RedirectHttps, (long?)options.HstsMaxAge?.TotalSeconds));
        var registry = new Sites.SiteRegistry(router, options, clock, certificates, https, Warn);
        var listener = new Http1Listener(router, accessLog, clock, options, counters, certificates, https);
        builder.Services.AddHostedService(_ => listener);
        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        Sites.SiteEndpoints.MapSites(app, registry);
        Tls.TlsEndpoints.MapTls(app, router, certificates, https, listener);
        app.MapGet("/upstream", (string? site) =>
        {
            if (router.Find(site ?? Sites.ProxySite.Default) is not { } found)
                return NoSite(site);
            var (current, split) = (found.Table.Current, found.Table.Split);
            return Results.Ok(new UpstreamView(current?.BaseUri.ToString(), current?.Release, current?.InFlight ?? 0, found.AccessLog.Dropped,
                split?.Candidate.BaseUri.ToString(), split?.Candidate.Release, split?.WeightPercent ?? 0, split?.Candidate.InFlight ?? 0));
        });
        app.MapGet("/stats", () => Results.Ok(new ProxyStats(
            listener.OpenConnections, counters.RefusedProxyCap, counters.RefusedClientCap, counters.HeadTimeouts, counters.HandshakeFailures)));
        app.MapPut("/upstream", async (string? site, SwapRequest request, CancellationToken ct) =>
        {
            if (router.Find(site ?? Sites.ProxySite.Default) is not { } found)
                return NoSite(site);
            var (table, swapLock) = (found.Table, found.SwapLock);
            if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var uri) || uri.Scheme != "http")
                return Results.Problem(detail: $"'{request.Url}' is not an http URL", statusCode: 400);
            await swapLock.WaitAsync(ct);
            try
            {
                new ProxyState(uri.ToString(), request.Release).Save(found.StateFile);
                // A swap ends any split. The split's candidate, when it is the one going live, goes live as it
                // is (its requests and kept connections with it); another is drained after the old live one.
                var split = table.Split;
                var promoted = split?.Candidate is { } c && c.BaseUri == uri && c.Release == request.Release ? c : null;
                var previous = table.Swap(promoted ?? new UpstreamSnapshot(uri, request.Release, options.ConnectTimeout));
                table.SetSplit(null);
                // The old live instance and a candidate that did not go live drain at the same time.
                var candidateDrained = split is not null && promoted is null
                    ? DrainAsync(split.Candidate, TimeSpan.FromSeconds(request.DrainSeconds), clock)
                    : Task.FromResult(new SwapResult(null, null, true, 0, 0));
                var drained = await DrainAsync(previous, TimeSpan.FromSeconds(request.DrainSeconds), clock);
                await candidateDrained;
                return Results.Ok(drained);
            }
            finally
            {
                swapLock.Release();
            }
        });
        app.MapPut("/split", async (string? site, SplitRequest request, CancellationToken ct) =>
        {
            if (router.Find(site ?? Sites.ProxySite.Default) is not { } found)
                return NoSite(site);
            var (table, swapLock) = (found.Table, found.SwapLock);
            if (request.WeightPercent is < 0 or > 100)
                return Results.Problem(detail: $"a split's weight is 0 to 100 percent, not {request.WeightPercent}", statusCode: 400);
            if (request.DrainSeconds is < 0 or > 3600)
                return Results.Problem(detail: $"a drain is 0 to 3600 seconds, not {request.DrainSeconds}", statusCode: 400);
            Uri? uri = null;
            if (request.WeightPercent > 0 && (!Uri.TryCreate(request.Url, UriKind.Absolute, out uri) || uri.Scheme != "http"))
                return Results.Problem(detail: $"a split needs the candidate's http URL, not '{request.Url}'", statusCode: 400);
            // The release names the candidate in its cookie and its access records: a version, nothing else.
            if (request.WeightPercent > 0 && !Core.Naming.FolderNames.IsVersion(request.Release ?? ""))
                return Results.Problem(detail: $"a split needs the candidate's release ({Core.Naming.FolderNames.VersionRule}), not '{request.Release}'", statusCode: 400);
            await swapLock.WaitAsync(ct);
            try
            {
                if (table.Current is not { } live)
                    return Results.Problem(detail: "nothing is live on this host to split from", statusCode: 409);
                // Both sides would write the same release in their access records: nothing to compare.
                if (request.WeightPercent > 0 && request.Release == live.Release)
                    return Results.Problem(detail: $"the candidate's release {request.Release} is the live one: a split compares two releases", statusCode: 409);
                var old = table.Split;
                var candidate = request.WeightPercent == 0 ? null
                    : old?.Candidate is { } same && same.BaseUri == uri && same.Release == request.Release ? same
                    : new UpstreamSnapshot(uri!, request.Release!, options.ConnectTimeout);
                // The same candidate keeps its key, so the clients' cookies stay good when only the weight changes.
                var key = ReferenceEquals(old?.Candidate, candidate) ? old!.Key : SplitRoute.NewKey();
                new ProxyState(live.BaseUri.ToString(), live.Release, candidate?.BaseUri.ToString(), candidate?.Release, request.WeightPercent,
                    candidate is null ? null : Convert.ToBase64String(key)).Save(found.StateFile);
                table.SetSplit(candidate is null ? null : new SplitRoute(candidate, request.WeightPercent, key));
                // The old candidate's requests finish on it; nothing new reaches it.
                var drained = old is not null && !ReferenceEquals(old.Candidate, candidate)
                    ? await DrainAsync(old.Candidate, TimeSpan.FromSeconds(request.DrainSeconds), clock)
                    : new SwapResult(null, null, true, 0, 0);
                return Results.Ok(drained);
            }
            finally
            {
                swapLock.Release();
            }
        });
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            accessLog.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
            registry.Dispose();
        });
        app.Lifetime.ApplicationStopped.Register(certificates.Dispose);
        return app;
    }

    private static IResult NoSite(string? site) =>
        Results.Problem(detail: site is null ? "this proxy serves named sites only: say which (?site=)" : $"no site named '{site}'", statusCode: 404);

    /// <summary>Waits, up to the bound, for the requests still on the old upstream to finish.</summary>
    private static async Task<SwapResult> DrainAsync(UpstreamSnapshot? previous, TimeSpan bound, TimeProvider time)
    {
        if (previous is null)
            return new SwapResult(null, null, true, 0, 0);
        var started = time.GetTimestamp();
        while (previous.InFlight > 0 && time.GetElapsedTime(started) < bound)
            await Task.Delay(TimeSpan.FromMilliseconds(10), time);
        var left = previous.InFlight;
        if (left == 0)
            previous.Dispose();
        return new SwapResult(previous.BaseUri.ToString(), previous.Release, left == 0, left, time.GetElapsedTime(started).TotalMilliseconds);
    }
}
