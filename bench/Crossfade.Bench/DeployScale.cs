using System.Diagnostics;
using System.Globalization;
using Crossfade.Cli;
using Crossfade.Contracts.V1;
using Crossfade.Demo;

namespace Crossfade.Bench;

/// <summary>
/// Deploy and rollback time for fleets of 1, 10 and 30 web hosts, each an agent with its own root,
/// proxy and gear-shop instances on this machine; the first host is also the migrator.
/// </summary>
public static class DeployScale
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1, 10, 30];
        var deploySeconds = new Dictionary<int, double>();
        var rollbackSeconds = new Dictionary<int, double>();
        foreach (var size in sizes)
        {
            var hosts = Enumerable.Range(1, size).Select(i => ($"web-{i}", i == 1 ? "web,migrator" : "web"));
            var started = Stopwatch.StartNew();
            await using var fleet = await LocalFleet.StartAsync(Path.Combine(Path.GetTempPath(), $"cf-bench-scale-{size}"), hosts, default, "cli");
            Console.WriteLine($"{size} hosts: fleet up in {started.Elapsed.TotalSeconds:0.0}s");
            var releases = new BenchReleases(fleet, healthTimeoutSeconds: 180);
            await releases.PushAsync("1.0.0");
            await releases.PushAsync("2.0.0");
            var watcher = new DeployWatcher(fleet.Api, TextWriter.Null);
            var first = await watcher.WatchAsync(await fleet.Api.DeployAsync("gear-shop", "production", "1.0.0", default), default);
            first.State.ShouldBe(DeployState.Succeeded);
            var cpuBefore = fleet.ServerCpu;
            var deploy = await watcher.WatchAsync(await fleet.Api.DeployAsync("gear-shop", "production", "2.0.0", default), default);
            var serverCpu = (fleet.ServerCpu - cpuBefore).TotalSeconds;
            deploy.State.ShouldBe(DeployState.Succeeded);
            var rollback = await watcher.WatchAsync(await fleet.Api.RollbackAsync("gear-shop", "production", default), default);
            rollback.State.ShouldBe(DeployState.Succeeded);
            deploySeconds[size] = (deploy.FinishedAt!.Value - deploy.CreatedAt).TotalSeconds;
            rollbackSeconds[size] = (rollback.FinishedAt!.Value - rollback.CreatedAt).TotalSeconds;
            Console.WriteLine($"{size} hosts: first deploy {Span(first)}; deploy 2.0.0 {deploySeconds[size]:0.0}s ({Phases(deploy)}), server CPU {serverCpu:0.00}s; rollback {rollbackSeconds[size]:0.0}s ({Phases(rollback)}); load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
        var small = deploySeconds[sizes[0]];
        var large = deploySeconds[sizes[^1]];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rollback: {string.Join(" ", sizes.Select(s => $"h{s}_s={rollbackSeconds[s]:0.0}"))}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"deploy-scale: {string.Join(" ", sizes.Select(s => $"h{s}_s={deploySeconds[s]:0.0}"))} ratio_{sizes[^1]}_{sizes[0]}={large / small:0.00}"));
        return 0;
    }

    private static string Span(Contracts.V1.DeployView d) => DeployWatcher.Seconds(d.CreatedAt, d.FinishedAt);

    private static string Phases(Contracts.V1.DeployView d) => string.Join(", ", d.Phases.Select(p => $"{p.Name} {DeployWatcher.Seconds(p.StartedAt, p.EndedAt)}"));
}
