using System.Net.Http.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;
using Crossfade.Load;

namespace Crossfade.Demo;

/// <summary>
/// What the demo did, for its closing line. <paramref name="Failed"/> counts the requests the deploys'
/// mechanics broke; the bad release's own 5xx answers are <paramref name="BadReleaseErrors"/>.
/// </summary>
public sealed record DemoResult(
    int Requests, int Failed, int Deploys, int Rollbacks, double SteadyP99, double CutoverP99, bool AllAsExpected, int JudgedRollbacks, int BadReleaseErrors);

/// <summary>
/// The embedded default scenario: deploy gear-shop 1.0.0 to three web hosts and a worker, put shopper
/// traffic on it, deploy 2.0.0 under that traffic (the judge compares it with 1.0.0 and lets it
/// through), deploy 2.1.0 — which fails the checkouts of some listings — and watch the judge roll it
/// back, roll back to 1.0.0 by hand, and tell what happened.
/// </summary>
public sealed class DemoScenario(LocalFleet fleet, TextWriter output)
{
    public const string App = "gear-shop";
    public const string Environment = "production";

    /// <summary>The bad release: its checkouts of two of the six listings fail (the critical path's listing works).</summary>
    public const string BadVersion = "2.1.0";

    public async Task<DemoResult> RunAsync(CancellationToken ct)
    {
        var build = await GearShopReleases.BuildAsync(output, ct);
        var releases = Path.Combine(fleet.Dir, "releases");
        var spec = GearShopReleases.Spec(Path.Combine(fleet.Dir, "shop-db", "shop.db"), Environment, fleet.Hosts, judged: true);
        await GearShopReleases.ApplyAsync(fleet.Api, spec, ct);
        output.WriteLine($"applied {App}: {string.Join(", ", fleet.Hosts.Select(h => $"{h.Name} [{h.Roles}]"))}");
        foreach (var (version, message, knobs) in new[]
        {
            ("1.0.0", "first release", Array.Empty<string>()),
            ("2.0.0", "saved searches at /my/feature", ["GEARSHOP_MY_FEATURE=1"]),
            (BadVersion, "new payment flow", ["GEARSHOP_MY_FEATURE=1", "GEARSHOP_FAILING_LISTINGS=5,6"]),
        })
        {
            var pushed = await GearShopReleases.PushAsync(fleet.Api, build, releases, version, message, ct, knobs);
            output.WriteLine($"pushed {App} {version}: sha256 {pushed.Sha256[..16]}… ({pushed.SizeBytes / 1024} KiB)");
        }

        var watcher = new DeployWatcher(fleet.Api, output);
        output.WriteLine();
        var first = await watcher.WatchAsync(await fleet.Api.DeployAsync(App, Environment, "1.0.0", ct), ct);

        var targets = fleet.Hosts.Where(h => h.Roles.Contains("web")).Select(h => new Uri($"http://127.0.0.1:{h.ProxyPort}")).ToList();
        var report = new TrafficReport();
        var traffic = new TrafficGenerator(targets, 32, TimeSpan.FromMinutes(5), 5_000_000);
        using var stopTraffic = new CancellationTokenSource();
        output.WriteLine($"\nshopper traffic: 32 keep-alive connections over {targets.Count} web hosts' proxies");
        var load = traffic.RunAsync(stopTraffic.Token);
        await Task.Delay(TimeSpan.FromSeconds(4), ct);

        // 2.0.0 goes out with a configuration change: a new checkout banner, converged on every host first.
        const string banner = "Free shipping on orders over 50 EUR";
        const string newBanner = "Winter sale, boots 20% off";
        await fleet.Api.ApplyAsync(spec.Replace(banner, newBanner), "crossfade.yml", ct);
        output.WriteLine();
        output.WriteLine($"config change applied with the spec: checkout_banner \"{banner}\" -> \"{newBanner}\"; it goes out with the next deploy");
        output.WriteLine();
        var second = await watcher.WatchAsync(await fleet.Api.DeployAsync(App, Environment, "2.0.0", ct), ct);
        output.WriteLine($"  the shop now says: \"{await ServedBannerAsync(targets[0], ct)}\"");
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        output.WriteLine();
        output.WriteLine($"{BadVersion} fails the checkouts of two listings; the judge compares it with 2.0.0 on the same shoppers:");
        var bad = await watcher.WatchAsync(await fleet.Api.DeployAsync(App, Environment, BadVersion, ct), ct);
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        output.WriteLine();
        var back = await watcher.WatchAsync(await fleet.Api.RollbackAsync(App, Environment, ct), ct);
        var bannerAfterRollback = await ServedBannerAsync(targets[0], ct);
        output.WriteLine($"  the shop now says: \"{bannerAfterRollback}\" (the rollback restored 1.0.0's configuration too)");
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        await stopTraffic.CancelAsync();
        await load;

        var deploys = new[] { first, second, bad, back };
        report.Classify(traffic.Samples, deploys, BadVersion);
        var status = await fleet.Api.StatusAsync(App, Environment, ct);
        var judged = bad.State == DeployState.RolledBack && bad.Reason?.StartsWith($"the judge failed {BadVersion}", StringComparison.Ordinal) == true;
        var expected = new[] { first, second, back }.All(DeployWatcher.IsSuccess) && judged
            && status.Version == "1.0.0" && status.Hosts.All(h => h.Release == "1.0.0") && bannerAfterRollback == banner;
        Summarize(deploys, report, status);
        await SummarizeTelemetryAsync(first.CreatedAt, ct);
        // Counted from the server's deploy records, not from what this scenario meant to do.
        var history = await fleet.Api.HistoryAsync(App, 100, Environment, ct);
        var deployed = history.Count(d => d.Kind == DeployKind.Deploy && d.State == DeployState.Succeeded);
        var rolledBack = history.Count(d => d.Kind == DeployKind.Rollback && d.State == DeployState.Succeeded) + history.Count(d => d.State == DeployState.RolledBack);
        var judgedRollbacks = history.Count(d => d.State == DeployState.RolledBack && d.Reason?.StartsWith("the judge failed", StringComparison.Ordinal) == true);
        return new DemoResult(report.All.Count, report.Failed, deployed, rolledBack, report.SteadyP99, report.CutoverP99, expected, judgedRollbacks, report.BadReleaseErrors);
    }

    /// <summary>What the server learned from the shipped access records and the timeline: the same story, told by Crossfade itself.</summary>
    private async Task SummarizeTelemetryAsync(DateTimeOffset since, CancellationToken ct)
    {
        // The agents ship within a second or so; wait until the server's count stops growing (at most 20 s).
        long last = -1;
        for (var i = 0; i < 40; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            var count = await fleet.Api.RequestCountAsync(App, Environment, since.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1), ct);
            if (count == last)
                break;
            last = count;
        }
        var byRelease = await fleet.Api.RequestStatsAsync(App, Environment, "release", ct, since.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        output.WriteLine("\nwhat the server saw (access records shipped by the agents)");
        foreach (var r in byRelease)
            output.WriteLine($"  release {r.Key,-8} {r.Requests,7} requests, {r.Errors5xx} 5xx, p50 {r.P50Ms:0.0} ms, p95 {r.P95Ms:0.0} ms, p99 {r.P99Ms:0.0} ms");
        var events = await fleet.Api.EventsAsync($"app={App}&limit=500", ct);
        output.WriteLine($"  timeline: {events.Count} events ({string.Join(", ", events.GroupBy(e => e.Kind).Select(g => $"{g.Count()} {g.Key}"))}); 'crossfade events --app {App}' lists them");
    }

    /// <summary>The checkout banner gear-shop behind a proxy reads from its converged configuration.</summary>
    private static async Task<string> ServedBannerAsync(Uri proxy, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        var config = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri(proxy, "/config"), ct);
        return config.GetProperty("checkoutBanner").GetString() ?? "";
    }

    private void Summarize(IReadOnlyList<DeployView> deploys, TrafficReport report, StatusView status)
    {
        output.WriteLine("\nwhat happened");
        foreach (var d in deploys)
        {
            var phases = string.Join(", ", d.Phases.Select(p => $"{p.Name} {DeployWatcher.Seconds(p.StartedAt, p.EndedAt)}"));
            output.WriteLine($"  #{d.Id} {WireNames.Of(d.Kind)} {d.Version}: {d.State} in {DeployWatcher.Seconds(d.CreatedAt, d.FinishedAt)} ({phases})");
        }
        var byStatus = report.All.GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "no answer" : g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))}: {g.Count()}");
        output.WriteLine($"  requests served: {report.All.Count} ({string.Join(", ", byStatus)}); failed: {report.Failed}; the bad release's own 5xx: {report.BadReleaseErrors}");
        output.WriteLine($"  latency p99: steady {report.SteadyP99:0.0} ms over {report.Steady.Count} requests; during cutovers {report.CutoverP99:0.0} ms over {report.Cutover.Count} requests");
        output.WriteLine($"  now: {status.App} {status.Environment} on {status.Version}; " + string.Join(", ", status.Hosts.Select(h => $"{h.Name}={h.Release ?? "-"}")));
    }
}
