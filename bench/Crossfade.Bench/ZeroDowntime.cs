using System.Globalization;
using Crossfade.Agent.Instances;
using Crossfade.Cli;
using Crossfade.Contracts.V1;
using Crossfade.Demo;
using Crossfade.Load;

namespace Crossfade.Bench;

/// <summary>
/// 20 cutovers (deploys and rollbacks, alternating) on 3 web hosts under 32 keep-alive connections,
/// then the same load through plain stop-then-start restarts, to show what the cutover avoids.
/// </summary>
public static class ZeroDowntime
{
    public static async Task<int> RunAsync(string[] args)
    {
        var cutovers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var hosts = new[] { ("web-1", "web"), ("web-2", "web"), ("web-3", "web"), ("worker-1", "worker,migrator") };
        await using var fleet = await LocalFleet.StartAsync(Path.Combine(Path.GetTempPath(), "cf-bench-zd"), hosts, CancellationToken.None, "cli");
        var scenario = new BenchReleases(fleet);
        await scenario.PushAsync("1.0.0");
        await scenario.PushAsync("2.0.0");
        var watcher = new DeployWatcher(fleet.Api, TextWriter.Null);
        (await watcher.WatchAsync(await fleet.Api.DeployAsync("gear-shop", "production", "1.0.0", default), default)).State.ShouldBe(DeployState.Succeeded);

        var targets = fleet.Hosts.Where(h => h.Roles == "web").Select(h => new Uri($"http://127.0.0.1:{h.ProxyPort}")).ToList();
        var report = new TrafficReport();
        var traffic = new TrafficGenerator(targets, 32, TimeSpan.FromMinutes(15), 20_000_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);
        await Task.Delay(3000);
        var deploys = new List<DeployView>();
        for (var i = 0; i < cutovers; i++)
        {
            var started = i % 2 == 0
                ? await fleet.Api.DeployAsync("gear-shop", "production", "2.0.0", default)
                : await fleet.Api.RollbackAsync("gear-shop", "production", default);
            var done = await watcher.WatchAsync(started, default);
            deploys.Add(done);
            Console.WriteLine($"cutover {i + 1,2}: {done.Kind,-8} {done.Version} {done.State} in {DeployWatcher.Seconds(done.CreatedAt, done.FinishedAt)}");
            await Task.Delay(1500);
        }
        await stop.CancelAsync();
        await load;
        report.Classify(traffic.Samples, deploys);
        var naiveFailed = await NaiveRestartsAsync(fleet, targets);
        var bad = deploys.Count(d => d.State != DeployState.Succeeded);
        Console.WriteLine($"requests={report.All.Count} steady={report.Steady.Count} cutover={report.Cutover.Count} p50_steady_ms={Percentiles.Of(report.Steady, 50):0.0} p50_cutover_ms={Percentiles.Of(report.Cutover, 50):0.0} deploys_not_succeeded={bad}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"zero-downtime: cutovers={deploys.Count} requests={report.All.Count} failed={report.Failed} p99_steady_ms={report.SteadyP99:0.0} p99_cutover_ms={report.CutoverP99:0.0} naive_restart_failed={naiveFailed}"));
        return 0;
    }

    /// <summary>The same load while each web host's instance is stopped and started again in place (restarts done by the agent's supervisor), 3 rounds.</summary>
    private static async Task<int> NaiveRestartsAsync(LocalFleet fleet, IReadOnlyList<Uri> targets)
    {
        var traffic = new TrafficGenerator(targets, 32, TimeSpan.FromMinutes(3), 5_000_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);
        await Task.Delay(2000);
        for (var round = 0; round < 3; round++)
        {
            foreach (var host in fleet.Hosts.Where(h => h.Roles == "web"))
            {
                var live = fleet.AppStateOf(host.Name)!.Live!;
                await Processes.StopAsync(live.Process, TimeSpan.FromSeconds(10), TimeProvider.System);
            }
            await Task.Delay(TimeSpan.FromSeconds(6));
        }
        await stop.CancelAsync();
        await load;
        var failed = traffic.Samples.Count(s => s.Failed);
        Console.WriteLine($"naive stop-then-start: 3 rounds x {targets.Count} hosts, {traffic.Samples.Count} requests, {failed} failed");
        return failed;
    }
}

internal static class BenchAssert
{
    public static void ShouldBe<T>(this T actual, T expected)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
            throw new InvalidOperationException($"expected {expected}, got {actual}");
    }
}
