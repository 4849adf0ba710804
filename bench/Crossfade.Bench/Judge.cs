using System.Globalization;
using Crossfade.Cli;
using Crossfade.Contracts.V1;
using Crossfade.Demo;
using Crossfade.Load;

namespace Crossfade.Bench;

/// <summary>
/// The judge under steady shopper traffic on 3 web hosts and a worker: good releases (the same code
/// under a new version, some a few milliseconds slower everywhere) and bad ones of four kinds — 3% of
/// checkouts failing, +150 ms on one page, a new exception logged behind 200s, an instance that crashes
/// 20 s after it starts — deployed in a random order; then one deploy under almost no traffic.
/// </summary>
public static class Judge
{
    private const string App = "gear-shop";
    private const string Env = "production";

    private static readonly (string Kind, string[] Knobs)[] BadKinds =
    [
        ("checkouts-failing", ["GEARSHOP_CHECKOUT_ERROR_RATE=0.03"]),
        ("slow-page", ["GEARSHOP_SLOW_PATH=/", "GEARSHOP_SLOW_MS=150"]),
        ("new-exception", ["GEARSHOP_ERROR_LOG_PATH=/listings"]),
        ("crash-after-20s", ["GEARSHOP_CRASH_AFTER_S=20"]),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var goodCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var badPerKind = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : Environment.TickCount;
        var hosts = new[] { ("web-1", "web"), ("web-2", "web"), ("web-3", "web"), ("worker-1", "worker,migrator") };
        await using var fleet = await LocalFleet.StartAsync(Path.Combine(Path.GetTempPath(), "cf-bench-judge"), hosts, CancellationToken.None, "cli");
        var build = await GearShopReleases.BuildAsync(Console.Out, default);
        var spec = GearShopReleases.Spec(Path.Combine(fleet.Dir, "shop-db", "shop.db"), Env, fleet.Hosts, judged: true);
        await GearShopReleases.ApplyAsync(fleet.Api, spec, default);
        Console.WriteLine($"judge spec: {string.Join(", ", spec.Split('\n').SkipWhile(l => l != "judge:").Skip(1).TakeWhile(l => l.StartsWith(' ')).Select(l => l.Trim()))}");

        // The plan: a random order of good and bad releases, each a version of its own.
        var random = new Random(seed);
        var plan = Enumerable.Range(0, goodCount).Select(i => (Kind: i % 4 == 3 ? "good-noisy" : "good", Knobs: i % 4 == 3 ? new[] { "GEARSHOP_LATENCY_MS=3" } : []))
            .Concat(BadKinds.SelectMany(b => Enumerable.Repeat(b, badPerKind)))
            .OrderBy(_ => random.Next()).ToList();
        var releases = Path.Combine(fleet.Dir, "releases");
        await GearShopReleases.PushAsync(fleet.Api, build, releases, "1.0.0", "baseline", default);
        for (var i = 0; i < plan.Count; i++)
            await GearShopReleases.PushAsync(fleet.Api, build, releases, $"3.0.{i}", plan[i].Kind, default, plan[i].Knobs);
        await GearShopReleases.PushAsync(fleet.Api, build, releases, "9.0.0", "under almost no traffic", default);
        Console.WriteLine($"seed {seed}: {plan.Count(p => p.Kind.StartsWith("good", StringComparison.Ordinal))} good and {plan.Count(p => !p.Kind.StartsWith("good", StringComparison.Ordinal))} bad releases in a random order");
        var watcher = new DeployWatcher(fleet.Api, TextWriter.Null);
        (await watcher.WatchAsync(await fleet.Api.DeployAsync(App, Env, "1.0.0", default), default)).State.ShouldBe(DeployState.Succeeded);

        var targets = fleet.Hosts.Where(h => h.Roles == "web").Select(h => new Uri($"http://127.0.0.1:{h.ProxyPort}")).ToList();
        var traffic = new TrafficGenerator(targets, 32, TimeSpan.FromMinutes(40), 50_000_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);
        await Task.Delay(5000);
        var counters = await fleet.Api.TelemetryCountersAsync(default);

        var outcomes = new List<(string Kind, DeployView Deploy, double? Seconds)>();
        for (var i = 0; i < plan.Count; i++)
        {
            var done = await watcher.WatchAsync(await fleet.Api.DeployAsync(App, Env, $"3.0.{i}", default), default);
            var seconds = SplitToBack(done);
            outcomes.Add((plan[i].Kind, done, seconds));
            var verdict = done.Verdicts?.LastOrDefault(v => v.Final);
            Console.WriteLine($"{i + 1,2} 3.0.{i,-3} {plan[i].Kind,-17} {done.State,-10} {DeployWatcher.Seconds(done.CreatedAt, done.FinishedAt),7}"
                + (seconds is { } s ? string.Create(CultureInfo.InvariantCulture, $"  split-to-back {s:0.0}s") : "")
                + $"  {verdict?.Summary ?? done.Reason ?? ""}");
            await Task.Delay(2000);
        }
        var shipping = ShipLag(counters, await fleet.Api.TelemetryCountersAsync(default));
        var rps = traffic.Samples.Count / Math.Max(1, (DateTimeOffset.UtcNow - outcomes[0].Deploy.CreatedAt).TotalSeconds + 5);
        await stop.CancelAsync();
        await load;

        var lowTraffic = await LowTrafficAsync(fleet, spec, watcher, targets);
        var good = outcomes.Where(o => o.Kind.StartsWith("good", StringComparison.Ordinal)).ToList();
        var bad = outcomes.Where(o => !o.Kind.StartsWith("good", StringComparison.Ordinal)).ToList();
        var falseRollbacks = good.Count(o => o.Deploy.State != DeployState.Succeeded);
        var caught = bad.Count(o => o.Deploy.State is DeployState.RolledBack or DeployState.Aborted);
        var times = bad.Where(o => o.Deploy.State == DeployState.RolledBack && o.Seconds is not null).Select(o => o.Seconds!.Value).Order().ToList();
        foreach (var kind in BadKinds)
        {
            var of = bad.Where(o => o.Kind == kind.Kind).ToList();
            Console.WriteLine($"  {kind.Kind,-17} caught {of.Count(o => o.Deploy.State != DeployState.Succeeded)} of {of.Count}; "
                + $"split-to-back {string.Join(", ", of.Select(o => o.Seconds is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) + "s" : o.Deploy.State.ToString()))}");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"traffic: {traffic.Samples.Count:N0} requests, about {rps:0} a second over 32 shopper connections; the candidate takes 20% of it in a judged window"));
        Console.WriteLine($"shipping lag of access records (server receipt minus request time): {shipping.Histogram}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"judge: good={good.Count} false_rollbacks={falseRollbacks} bad={bad.Count} caught={caught} median_seconds={Median(times):0.0} max_seconds={(times.Count > 0 ? times[^1] : 0):0.0} low_traffic={lowTraffic} ship_p95_seconds={shipping.P95:0.0#}"));
        return 0;
    }

    /// <summary>From the split's start to every host's clients back on the old release: the judged window, which ends with every split ended.</summary>
    private static double? SplitToBack(DeployView d) =>
        d.State == DeployState.RolledBack && d.Phases.FirstOrDefault(p => p.Name == DeployState.Judging) is { EndedAt: { } end } judging
            ? (end - judging.StartedAt).TotalSeconds
            : null;

    /// <summary>
    /// A deploy under almost no traffic (one request every two seconds), with a window of 40 s that
    /// aborts when it cannot tell: "insufficient" when the judge said it could not tell, "wrong" otherwise.
    /// </summary>
    private static async Task<string> LowTrafficAsync(LocalFleet fleet, string spec, DeployWatcher watcher, IReadOnlyList<Uri> targets)
    {
        await fleet.Api.ApplyAsync(spec.Replace("max_seconds: 120", "max_seconds: 40\n  on_insufficient: abort"), "crossfade.yml", default);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var trickle = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested && i < 200; i++)
            {
                try
                {
                    using var _ = await http.GetAsync(new Uri(targets[i % targets.Count], "/listings"), stop.Token);
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
                {
                    // A trickle: a lost request changes nothing.
                }
                await Task.Delay(2000, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        });
        // A minute and more of the trickle first, so the last sixty seconds the server counted are quiet ones.
        await Task.Delay(TimeSpan.FromSeconds(65));
        var done = await watcher.WatchAsync(await fleet.Api.DeployAsync(App, Env, "9.0.0", default), default);
        await stop.CancelAsync();
        await trickle;
        var verdict = done.Verdicts?.LastOrDefault(v => v.Final);
        var warned = (await fleet.Api.EventsAsync($"app={App}&limit=50", default)).Any(e => e.Title.Contains("little traffic to judge on", StringComparison.Ordinal));
        Console.WriteLine($"almost no traffic: {done.State}; {verdict?.Action}: {verdict?.Summary}; warned at the window's start: {warned}");
        return done.State == DeployState.Aborted && verdict?.Outcome == JudgeOutcome.Insufficient ? "insufficient" : "wrong";
    }

    /// <summary>The shipping lag histogram between two readings of the server's counters, and its p95 (a bucket's upper bound).</summary>
    private static (string Histogram, double P95) ShipLag(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after)
    {
        var buckets = after.Where(kv => kv.Key.StartsWith(ShipLagPrefix, StringComparison.Ordinal))
            .Select(kv => (Bound: kv.Key[ShipLagPrefix.Length..], Count: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Select(b => (Ms: b.Bound == "inf" ? double.PositiveInfinity : double.Parse(b.Bound, CultureInfo.InvariantCulture), b.Count))
            .OrderBy(b => b.Ms).ToList();
        var total = buckets.Sum(b => b.Count);
        double running = 0, p95 = double.NaN;
        foreach (var (ms, count) in buckets)
        {
            running += count;
            if (running >= 0.95 * total)
            {
                p95 = ms / 1000;
                break;
            }
        }
        return (string.Join(", ", buckets.Select(b => $"≤{(double.IsInfinity(b.Ms) ? "∞" : (b.Ms / 1000).ToString("0.##", CultureInfo.InvariantCulture))}s: {b.Count}")), p95);
    }

    private const string ShipLagPrefix = Server.Telemetry.ShipLag.Prefix;

    private static double Median(IReadOnlyList<double> sorted) => sorted.Count == 0 ? 0 : Core.Judging.Quantiles.OfSorted(sorted, 0.5);
}
