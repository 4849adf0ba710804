using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;
using Crossfade.Core.Telemetry;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Dashboard.Views;

/// <summary>A host of an environment as its agent last reported it.</summary>
public sealed record HostLine(string Name, IReadOnlyList<string> Roles, bool Online, DateTimeOffset? LastSeen, string? Release, IReadOnlyList<InstanceReport> Instances)
{
    /// <summary>Whether every process the host runs for the app is up (as its agent last reported).</summary>
    public bool Healthy => Instances.All(i => i.Running);
}

/// <summary>Everything the environment page shows.</summary>
public sealed record EnvironmentPage(
    string App, string Environment, string Range, string? Serving, string ChartJson, IReadOnlyList<DeployBand> Bands,
    long Requests, double ErrorRate, double P95, IReadOnlyList<HostLine> Hosts, IReadOnlyList<DeployRecord> Recent,
    IReadOnlyList<ReleaseRecord> Releases, IReadOnlyList<TrafficCell> Heat, IReadOnlyList<QuietWindow> Quietest, string Zone,
    bool HasConfig, IReadOnlyList<string> CanaryHosts, IReadOnlyList<FreezeView> Freezes, IReadOnlyList<ScheduleView> Schedules)
{
    /// <summary>The freeze holding the environment now, the one ending last when several do.</summary>
    public FreezeView? Frozen => Freezes.Where(f => f.HoldsUntil is not null).OrderByDescending(f => f.HoldsUntil).FirstOrDefault();
}

/// <summary>Builds the environment page in a fixed number of queries.</summary>
public static class EnvironmentLoader
{
    /// <summary>The ranges a graph offers: how far back, which rollups, how wide a bucket.</summary>
    public static readonly IReadOnlyDictionary<string, (TimeSpan Span, bool Hourly, int Bucket)> Ranges = new Dictionary<string, (TimeSpan, bool, int)>
    {
        ["1h"] = (TimeSpan.FromHours(1), false, 1),
        ["24h"] = (TimeSpan.FromHours(24), false, 10),
        ["7d"] = (TimeSpan.FromDays(7), true, 60),
        ["30d"] = (TimeSpan.FromDays(30), true, 240),
    };

    public static async Task<EnvironmentPage?> LoadAsync(
        IStore store, Telemetry.AppSpecs specs, ServerOptions options, string app, string environment, string? range, string? zoneName, DateTimeOffset now, CancellationToken ct)
    {
        if (await store.GetAppAsync(app, ct) is not { } record || specs.Of(record) is not { } spec || !spec.Environments.TryGetValue(environment, out var env))
            return null;
        var chosen = range is not null && Ranges.ContainsKey(range) ? range : "1h";
        var (span, hourly, bucket) = Ranges[chosen];
        var from = now - span;
        var series = await store.ListSeriesAsync(app, environment, from, now, bucket, hourly, ct);
        var points = Charts.Filled(series, from, now, bucket);
        var deploys = await store.ListDeploysAsync(new DeployFilter(app, environment, Since: from, Limit: 500), ct);
        var bands = deploys.Where(d => d.Kind != DeployKind.WhyRun && d.State != DeployState.Queued)
            .Select(d => new DeployBand(d.Id, d.CreatedAt, d.FinishedAt ?? now, Outcomes.Class(d.State), $"#{d.Id} {d.Kind} {d.Version}: {d.State}"))
            .OrderBy(b => b.Start).ToList();
        var recent = deploys.Count >= 10 ? deploys.Take(10).ToList() : await store.ListDeploysAsync(new DeployFilter(app, environment, Limit: 10), ct);
        var reported = (await store.ListHostsAsync(ct)).ToDictionary(h => h.Name);
        var hosts = env.Hosts.Select(h =>
        {
            reported.TryGetValue(h.Name, out var host);
            var live = host is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(host.LiveReleasesJson);
            var instances = host is null ? [] : (JsonSerializer.Deserialize<List<InstanceReport>>(host.InstancesJson, Api.JsonBody.Options) ?? []).Where(i => i.App == app).ToList();
            return new HostLine(h.Name, h.Roles, host?.LastSeen is { } seen && now - seen <= options.OfflineAfter, host?.LastSeen,
                live is not null && live.TryGetValue(app, out var release) ? release : null, instances);
        }).ToList();
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneName ?? "UTC", out var found) ? found : TimeZoneInfo.Utc;
        var to = TrafficHeatmap.Floor(now);
        var heatFrom = to.AddDays(-28);
        var hourlyCounts = await store.ListHourlyRequestsAsync(app, environment, heatFrom, to, ct);
        if (hourlyCounts.Count > 0 && hourlyCounts.Keys.Min() is var first && first > heatFrom)
            heatFrom = first;
        var cells = TrafficHeatmap.Cells(hourlyCounts, heatFrom, to, zone);
        var quietest = hourlyCounts.Count == 0 ? [] : TrafficHeatmap.Quietest(cells, 1, 3, zone.Id, Math.Abs((int)zone.GetUtcOffset(to).TotalMinutes % 60));
        var requests = points.Sum(p => p.Requests);
        return new EnvironmentPage(app, environment, chosen, await store.GetLiveVersionAsync(app, environment, ct), Charts.Json(points, bands, from, now), bands,
            requests, requests == 0 ? 0 : (double)points.Sum(p => p.Errors) / requests, Charts.Percentiles(series.Select(s => s.Hist)).P95,
            hosts, recent, (await store.ListReleasesAsync(app, ct)).Take(30).ToList(), cells, quietest, zone.Id,
            spec.Config is not null, env.Hosts.Where(h => h.Has("web")).Select(h => h.Name).ToList(),
            (await store.ListFreezesAsync(app, ct)).Where(f => f.Environment == environment).Select(f => Freezes.FreezesEndpoints.View(f, now))
                .Where(f => f.HoldsUntil is not null || f.NextStart is not null).ToList(),
            (await store.ListSchedulesAsync(app, openOnly: true, ct)).Where(s => s.Environment == environment).Select(Schedules.SchedulesEndpoints.View).ToList());
    }
}
