using System.Globalization;
using System.Text.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;
using Crossfade.Demo;
using Crossfade.Load;

namespace Crossfade.Bench;

/// <summary>
/// From a push to the last host serving what it built: gear-shop's source in a local git repository,
/// a signed GitHub push of main, the server (or, with --on builder, a builder host) building it (dotnet publish) and deploying it to 3 web hosts
/// under 32 keep-alive connections. Each round pushes a new commit; figures per round, medians at the end.
/// </summary>
public static class PushToLive
{
    public static async Task<int> RunAsync(string[] args)
    {
        // ./bench/run push-to-live [rounds] [--on builder]: the build runs on the server, or on a builder host.
        var onBuilder = args.Contains("--on") && args.SkipWhile(a => a != "--on").Skip(1).FirstOrDefault() == "builder";
        var rounds = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var r) ? r : 3;
        var hosts = new[] { ("web-1", "web"), ("web-2", "web"), ("web-3", "web"), ("worker-1", "worker,migrator") }
            .Concat(onBuilder ? [("builder-1", "builder")] : Array.Empty<(string, string)>()).ToArray();
        await using var fleet = await LocalFleet.StartAsync(Path.Combine(Path.GetTempPath(), "cf-bench-push"), hosts, CancellationToken.None, "cli");
        var releases = new BenchReleases(fleet);
        await releases.PushAsync("1.0.0");
        var watcher = new DeployWatcher(fleet.Api, TextWriter.Null);
        (await watcher.WatchAsync(await fleet.Api.DeployAsync("gear-shop", "production", "1.0.0", default), default)).State.ShouldBe(DeployState.Succeeded);
        var source = Path.Combine(fleet.Dir, "source");
        GearShopRepo.Create(source);
        var spec = GearShopReleases.Spec(Path.Combine(fleet.Dir, "shop-db", "shop.db"), "production", fleet.Hosts)
            + $"build:\n  repository: {source}\n  command: {GearShopRepo.BuildCommand}\n  output: out\n  timeout_seconds: 900\n"
            + (onBuilder ? "  runs_on: builder\n" : "")
            + "triggers:\n  branches:\n    main: production\n";
        await fleet.Api.ApplyAsync(spec, "crossfade.yml", default);
        var secret = (await fleet.Api.RotateHookSecretAsync("gear-shop", default)).Secret;

        var targets = fleet.Hosts.Where(h => h.Roles == "web").Select(h => new Uri($"http://127.0.0.1:{h.ProxyPort}")).ToList();
        var traffic = new TrafficGenerator(targets, 32, TimeSpan.FromMinutes(30), 50_000_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);
        await Task.Delay(3000);
        var totals = new List<double>();
        var builds = new List<double>();
        var deploys = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            var sha = GearShopRepo.Commit(source, $"round {round}");
            var pushed = DateTimeOffset.UtcNow;
            var (status, body) = await GearShopRepo.PushAsync(fleet.ServerUrl, "gear-shop", secret, "refs/heads/main", sha, default);
            if (status != 202)
                throw new InvalidOperationException($"the push was answered {status}: {body}");
            var buildId = JsonDocument.Parse(body).RootElement.GetProperty("build").GetInt64();
            var build = await WaitAsync(() => fleet.Api.GetBuildAsync(buildId, default), b => b.State is "succeeded" or "failed", TimeSpan.FromMinutes(15));
            if (build.State != "succeeded" || build.DeployId is not { } deployId)
                throw new InvalidOperationException($"build #{buildId} ended {build.State}: {build.Reason}");
            if (onBuilder && build.Host != "builder-1")
                throw new InvalidOperationException($"build #{buildId} ran on {build.Host ?? "the server"}, not builder-1");
            var deploy = await watcher.WatchAsync(await fleet.Api.GetDeployAsync(deployId, default), default);
            deploy.State.ShouldBe(DeployState.Succeeded);
            await WaitAsync(fleet.ServedVersionsAsync, served => served.All(v => v == build.Version), TimeSpan.FromMinutes(2));
            var live = DateTimeOffset.UtcNow;
            totals.Add((live - pushed).TotalSeconds);
            builds.Add((build.FinishedAt!.Value - build.StartedAt!.Value).TotalSeconds);
            deploys.Add((deploy.FinishedAt!.Value - deploy.CreatedAt).TotalSeconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: {build.Version} built on {build.Host ?? "the server"}, live on every web host {totals[^1]:0.0} s after the push (queue+build {builds[^1]:0.0} s, deploy {deploys[^1]:0.0} s)"));
            await Task.Delay(2000);
        }
        await stop.CancelAsync();
        await load;
        var failed = traffic.Samples.Count(s => s.Failed);
        Console.WriteLine($"requests={traffic.Samples.Count} failed={failed} rounds={rounds}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"push-to-live: seconds={Median(totals):0.0} build_seconds={Median(builds):0.0} deploy_seconds={Median(deploys):0.0} failed_requests={failed}"));
        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await read();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the push did not reach every host in time");
            await Task.Delay(200);
        }
    }
}
