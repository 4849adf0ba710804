using System.Diagnostics;
using System.Globalization;
using Crossfade.Agent.Instances;
using Crossfade.Cli;
using Crossfade.Contracts.V1;
using Crossfade.Demo;
using Crossfade.Load;

namespace Crossfade.Bench;

/// <summary>
/// Randomized fault trials against a real fleet under traffic: each trial deploys a new release and
/// injects one fault in one phase, then checks that every host serves one release, that the deploy's
/// record is complete, and that nothing is left to clean up by hand.
/// </summary>
public static class Faults
{
    private static readonly string[] Kinds =
    [
        "agent-killed", "agent-frozen", "server-killed", "candidate-crash", "migration-fails", "corrupt-on-host", "unhealthy-release", "disk-full",
        "migrator-killed", "checks-fail-after-switch",
    ];
    private static readonly string[] Phases = ["Preparing", "Migrating", "CuttingOver"];

    public static async Task<int> RunAsync(string[] args)
    {
        var trials = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 14;
        var random = new Random(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : Environment.TickCount);
        var hosts = new[] { ("web-1", "web"), ("web-2", "web"), ("web-3", "web"), ("worker-1", "worker,migrator") };
        await using var fleet = await LocalFleet.StartAsync(Path.Combine(Path.GetTempPath(), "cf-bench-faults"), hosts, default, "cli");
        var releases = new BenchReleases(fleet, healthTimeoutSeconds: 15);
        await releases.PushAsync("base");
        var watcher = new DeployWatcher(fleet.Api, TextWriter.Null);
        (await watcher.WatchAsync(await fleet.Api.DeployAsync("gear-shop", "production", "base", default), default)).State.ShouldBe(DeployState.Succeeded);
        var webs = fleet.Hosts.Where(h => h.Roles == "web").ToList();
        var traffic = new TrafficGenerator(webs.Select(h => new Uri($"http://127.0.0.1:{h.ProxyPort}")).ToList(), 16, TimeSpan.FromMinutes(40), 50_000_000);
        using var stopTraffic = new CancellationTokenSource();
        var load = traffic.RunAsync(stopTraffic.Token);

        int mixed = 0, lost = 0, unrecovered = 0;
        for (var i = 1; i <= trials; i++)
        {
            var kind = Kinds[(i - 1) % Kinds.Length];
            var phase = kind switch
            {
                "migrator-killed" => "Migrating",
                "checks-fail-after-switch" => "CuttingOver",
                _ => Phases[random.Next(Phases.Length)],
            };
            var target = kind is "migration-fails" or "migrator-killed" ? "worker-1" : webs[random.Next(webs.Count)].Name;
            var version = $"t{i}";
            var knobs = new List<string> { "GEARSHOP_STARTUP_DELAY_MS=1500", "GEARSHOP_MIGRATE_DELAY_MS=1500" };
            if (kind == "migration-fails")
                knobs.Add("GEARSHOP_MIGRATE_FAIL=1");
            if (kind == "unhealthy-release")
                knobs.Add("GEARSHOP_FAIL_HEALTH=1");
            // Three checks pass before the switch; every check after it fails, so each host's activate fails.
            if (kind == "checks-fail-after-switch")
                knobs.Add("GEARSHOP_FAIL_CHECKS_AFTER=3");
            await releases.PushAsync(version, [.. knobs]);
            if (kind == "corrupt-on-host")
                CorruptOnHost(fleet, target, version);
            var fullDisk = kind == "disk-full" ? FillDisk(fleet, target) : null;

            var clock = Stopwatch.StartNew();
            var started = await fleet.Api.DeployAsync("gear-shop", "production", version, default);
            var hit = await InjectAsync(fleet, kind, phase, target, started.Id, version);
            var done = await FinishAsync(watcher, started, TimeSpan.FromMinutes(4));
            if (fullDisk is not null)
                Mount("umount", fullDisk);
            await Task.Delay(1000);
            var served = await fleet.ServedVersionsAsync();

            var verdicts = new List<string>();
            if (done is null || served.Any(v => v.StartsWith("HTTP", StringComparison.Ordinal) || v == "no answer"))
            {
                unrecovered++;
                verdicts.Add("UNRECOVERED");
            }
            else if (served.Distinct().Count() > 1)
            {
                mixed++;
                verdicts.Add("MIXED");
            }
            if (done is not null && !Complete(done))
            {
                lost++;
                verdicts.Add("INCOMPLETE RECORD");
            }
            Console.WriteLine($"trial {i,2}: {kind,-17} in {hit,-11} on {target,-8} -> {done?.State.ToString() ?? "not finished",-10} in {clock.Elapsed.TotalSeconds,5:0.0}s; serving {string.Join(",", served.Distinct())}" +
                (verdicts.Count > 0 ? $"  [{string.Join(", ", verdicts)}]" : "") + (done?.Reason is { } why ? $"\n           {Shorten(why)}" : ""));
        }
        await stopTraffic.CancelAsync();
        await load;
        var failed = traffic.Samples.Count(s => s.Failed);
        var doubled = DoubleMigrations(fleet);
        Console.WriteLine($"traffic: {traffic.Samples.Count} requests through every trial, {failed} failed");
        Console.WriteLine($"migrations: {doubled} run more than once (counted from gear-shop's own migration_runs)");
        Console.WriteLine($"faults: trials={trials} mixed_fleets={mixed} lost_records={lost} unrecovered={unrecovered} failed_requests={failed} double_migrations={doubled}");
        return 0;
    }

    /// <summary>Runs of a release's migration beyond its first, from the shop's own record of every run.</summary>
    private static int DoubleMigrations(LocalFleet fleet)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(fleet.Dir, "shop-db", "shop.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM migration_runs GROUP BY release)";
        return Convert.ToInt32(query.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until the migration of <paramref name="version"/> has started on the host (the shop recorded it), within a bound.</summary>
    private static async Task<bool> MigrationStartedAsync(LocalFleet fleet, string version)
    {
        var path = Path.Combine(fleet.Dir, "shop-db", "shop.db");
        for (var i = 0; i < 200; i++)
        {
            using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False"))
            {
                db.Open();
                using var query = db.CreateCommand();
                query.CommandText = "SELECT COUNT(*) FROM migration_runs WHERE release = $release AND ended_at IS NULL";
                query.Parameters.AddWithValue("$release", version);
                if (Convert.ToInt32(query.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
                    return true;
            }
            await Task.Delay(25);
        }
        return false;
    }

    /// <summary>Waits for the deploy to reach the phase (or pass it), then injects the fault. Returns the phase it hit.</summary>
    private static async Task<string> InjectAsync(LocalFleet fleet, string kind, string phase, string target, long id, string version)
    {
        var host = fleet.Hosts.Single(h => h.Name == target);
        var state = await WaitForPhaseAsync(fleet, id, kind is "candidate-crash" ? "Preparing" : phase);
        switch (kind)
        {
            case "agent-killed":
                fleet.KillAgent(target);
                await Task.Delay(1500);
                fleet.StartAgent(host);
                break;
            case "migrator-killed":
                // Only once the migration runs: the kill lands inside it, or the trial says it missed.
                if (!await MigrationStartedAsync(fleet, version))
                    state = "missed";
                fleet.KillAgent(target);
                await Task.Delay(1500);
                fleet.StartAgent(host);
                break;
            case "agent-frozen":
                var agent = AgentPid(fleet, target);
                Processes.Signal(agent, 19);
                await Task.Delay(4000);
                Processes.Signal(agent, 18);
                break;
            case "server-killed":
                fleet.KillServer();
                await Task.Delay(1500);
                await fleet.StartServerAsync(default);
                break;
            case "candidate-crash":
                for (var i = 0; i < 100; i++)
                {
                    if (fleet.AppStateOf(target)?.Candidate is { } candidate && candidate.Version == version)
                    {
                        Processes.Signal(candidate.Process, Native.SIGKILL);
                        break;
                    }
                    await Task.Delay(50);
                }
                break;
        }
        return state;
    }

    private static async Task<string> WaitForPhaseAsync(LocalFleet fleet, long id, string phase)
    {
        for (var i = 0; i < 600; i++)
        {
            var d = await fleet.Api.GetDeployAsync(id, default);
            if (d.State.ToString() == phase || DeployWatcher.IsFinal(d.State) || Array.IndexOf(Phases, d.State.ToString()) > Array.IndexOf(Phases, phase))
                return d.State.ToString();
            await Task.Delay(50);
        }
        return "?";
    }

    private static async Task<DeployView?> FinishAsync(DeployWatcher watcher, DeployView started, TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await watcher.WatchAsync(started, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (ApiError) when (attempt < 100)
            {
                // The server may be restarting in this trial.
                await Task.Delay(500);
            }
        }
    }

    private static bool Complete(DeployView d) =>
        DeployWatcher.IsFinal(d.State)
        && d.FinishedAt is not null
        && d.Phases.All(p => p.EndedAt is not null)
        && d.Steps.All(s => s.Status is StepStatus.Succeeded or StepStatus.Failed)
        && (d.State == DeployState.Succeeded || !string.IsNullOrWhiteSpace(d.Reason));

    private static void CorruptOnHost(LocalFleet fleet, string host, string version)
    {
        var dir = Path.Combine(fleet.AgentRoot(host), "apps", "gear-shop", "releases", version);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "GearShop.dll"), "truncated");
    }

    /// <summary>A 512 KiB tmpfs over the host's download folder: its disk is full for the next artifact (needs root).</summary>
    private static string FillDisk(LocalFleet fleet, string host)
    {
        var downloads = Directory.CreateDirectory(Path.Combine(fleet.AgentRoot(host), "apps", "gear-shop", ".downloads")).FullName;
        Mount("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", downloads);
        return downloads;
    }

    private static void Mount(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed: the disk-full trial needs root");
    }

    private static ProcessRef AgentPid(LocalFleet fleet, string host) => new(fleet.AgentPid(host), 0);

    private static string Shorten(string text) => text.Length <= 220 ? text : text[..220] + "…";
}
