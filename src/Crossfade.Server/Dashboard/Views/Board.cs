using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Dashboard.Views;

/// <summary>One app × environment on the overview board.</summary>
public sealed record BoardCell(
    string App, string Environment, string? Serving, string State, DeployRecord? Last, IReadOnlyList<DeployRecord> Active,
    int HostsUp, int Hosts, long Requests, double ErrorRate, double P95,
    IReadOnlyList<double> RequestLine, IReadOnlyList<double> ErrorLine, IReadOnlyList<double> P95Line);

/// <summary>The overview: every app and environment, deploys running and queued first.</summary>
public sealed record Board(IReadOnlyList<BoardCell> Cells, IReadOnlyList<DeployRecord> Running, DateTimeOffset At);

/// <summary>Builds the overview in a fixed number of queries, however many apps, environments and hosts there are.</summary>
public static class BoardLoader
{
    private const int Bucket = 5;

    public static async Task<Board> LoadAsync(IStore store, Telemetry.AppSpecs specs, TimeProvider time, ServerOptions options, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var from = now.AddHours(-1);
        var apps = await store.ListAppsAsync(ct);
        var deploys = await store.ListBoardDeploysAsync(ct);
        var byEnvironment = deploys.ToLookup(d => (d.App, d.Environment));
        var live = (await store.ListLiveVersionsAsync(ct)).ToDictionary(l => (l.App, l.Environment));
        var hosts = (await store.ListHostsAsync(ct)).ToDictionary(h => h.Name);
        // Each host's releases read once, not once per environment it serves (a host may serve fifty apps).
        var releases = hosts.Values.ToDictionary(h => h.Name, h => JsonSerializer.Deserialize<Dictionary<string, string>>(h.LiveReleasesJson) ?? []);
        var series = (await store.ListSeriesAsync(null, null, from, now, Bucket, false, ct)).ToLookup(p => (p.App, p.Environment));
        var cells = new List<BoardCell>();
        foreach (var app in apps)
        {
            if (specs.Of(app) is not { } spec)
                continue;
            foreach (var (name, env) in spec.Environments.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                var mine = byEnvironment[(app.Name, name)].ToList();
                var active = mine.Where(d => !Outcomes.Finished(d.State)).OrderBy(d => d.Id).ToList();
                var last = mine.FirstOrDefault();
                var reported = env.Hosts.Select(h => hosts.GetValueOrDefault(h.Name)).ToList();
                var up = reported.Count(h => h?.LastSeen is { } seen && now - seen <= options.OfflineAfter);
                var serving = reported.Select(h => h is not null && releases[h.Name].TryGetValue(app.Name, out var r) ? r : null)
                    .Where(r => r is not null).Distinct().ToList();
                var points = Charts.Filled(series[(app.Name, name)], from, now, Bucket);
                var requests = points.Sum(p => p.Requests);
                var errors = points.Sum(p => p.Errors);
                var p95 = Charts.Percentiles(series[(app.Name, name)].Select(p => p.Hist)).P95;
                cells.Add(new BoardCell(app.Name, name, live.GetValueOrDefault((app.Name, name))?.Version,
                    StateOf(active, last, serving.Count), last, active, up, env.Hosts.Count, requests,
                    requests == 0 ? 0 : (double)errors / requests, p95,
                    points.Select(p => p.PerSecond).ToList(), points.Select(p => p.ErrorRate).ToList(), points.Select(p => p.P95).ToList()));
            }
        }
        return new Board(cells, deploys.Where(d => !Outcomes.Finished(d.State)).OrderBy(d => d.Id).ToList(), now);
    }

    /// <summary>uniform, deploying, judged (a split under the judge), queued, or mixed (a failure left hosts on different releases).</summary>
    private static string StateOf(IReadOnlyList<DeployRecord> active, DeployRecord? last, int releasesServed)
    {
        if (active.FirstOrDefault(d => d.State != DeployState.Queued) is { } running)
            return running.State == DeployState.Judging ? "judged" : running.State == DeployState.Canary ? "canary" : "deploying";
        if (active.Count > 0)
            return "queued";
        return last?.State == DeployState.Mixed || releasesServed > 1 ? "mixed" : "uniform";
    }
}
