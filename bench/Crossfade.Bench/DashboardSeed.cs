using System.Globalization;
using System.Text;
using Crossfade.Contracts.V1;
using Crossfade.Core.Telemetry;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.Data.Sqlite;

namespace Crossfade.Bench;

/// <summary>What the seeded store holds that the benchmark needs to find again.</summary>
public sealed record DashboardStore(long Records, long LargestDeploy, long SmallDeploy, long LiveDeploy, long LiveStep, string LiveHost, string LiveAgentToken);

/// <summary>
/// Fills a server's store as a big shop's would be after a month: 50 apps in three environments on
/// 300 hosts (the first app's production on all of them), 2,000 deploys with their phases, steps,
/// output, verdicts and events, and 10 million access records over three days with their rollups
/// (and a month of hourly rollups before them). Written with the store's own schema, in bulk: the
/// figures measured are the dashboard's, not the seeding's.
/// </summary>
public static class DashboardSeed
{
    public const int Apps = 50, Hosts = 300, Deploys = 2000;
    private static readonly string[] Environments = ["production", "staging", "qa"];



    public static async Task<DashboardStore> SeedAsync(string dbPath, long records, DateTimeOffset now)
    {
        var store = new SqliteStore(dbPath);
        var rng = new Random(7);
        var envs = new List<SeedEnvironment>();
        for (var a = 0; a < Apps; a++)
        {
            var app = $"app-{a:00}";
            foreach (var name in Environments)
            {
                var hosts = a == 0 && name == "production" ? Enumerable.Range(0, Hosts).Select(Host).ToArray()
                    : name == "production" ? Enumerable.Range(0, 4).Select(i => Host((a * 6 + i) % Hosts)).ToArray()
                    : [Host((a * 6 + (name == "staging" ? 4 : 5)) % Hosts)];
                envs.Add(new SeedEnvironment(app, name, hosts, "40.0.0"));
            }
            var yaml = new StringBuilder($"app: {app}\nrun: ./run\nenvironments:\n");
            foreach (var env in envs.Where(e => e.App == app))
            {
                yaml.Append(CultureInfo.InvariantCulture, $"  {env.Name}:\n    hosts:\n");
                foreach (var h in env.Hosts)
                    yaml.Append(CultureInfo.InvariantCulture, $"      {h}: [web]\n");
            }
            await store.UpsertAppAsync(new AppRecord(app, yaml.ToString(), now), default);
        }

        await using var c = new SqliteConnection($"Data Source={dbPath};Pooling=False");
        await c.OpenAsync();
        Exec(c, "PRAGMA synchronous = OFF; PRAGMA busy_timeout = 30000;");
        SeedHostsAndReleases(c, envs, now);
        var (largest, small) = SeedDeploys(c, envs, now, rng);
        await SeedEventsAndVerdictsAsync(store, c, now, rng);
        var (liveDeploy, liveStep, liveHost, token) = await SeedLiveDeployAsync(store, c, now);
        var stored = DashboardTraffic.Seed(c, envs, records, now, rng);
        return new DashboardStore(stored, largest, small, liveDeploy, liveStep, liveHost, token);
    }

    internal static string Host(int i) => $"h-{i:000}";

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static void SeedHostsAndReleases(SqliteConnection c, List<SeedEnvironment> envs, DateTimeOffset now)
    {
        using var tx = c.BeginTransaction();
        using (var hosts = new Insert(c, tx, "hosts", "name", "roles", "enrolled_at", "last_seen", "live_releases"))
            for (var i = 0; i < Hosts; i++)
            {
                var apps = envs.Where(e => e.Hosts.Contains(Host(i))).Select(e => e.App).Distinct();
                hosts.Run(Host(i), "[\"web\"]", now.AddDays(-60).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(),
                    "{" + string.Join(",", apps.Select(a => $"\"{a}\":\"40.0.0\"")) + "}");
            }
        using (var releases = new Insert(c, tx, "releases", "app", "version", "sha256", "size_bytes", "commit_sha", "message", "created_by", "created_at"))
            foreach (var app in envs.Select(e => e.App).Distinct())
                for (var v = 1; v <= 40; v++)
                    releases.Run(app, $"{v}.0.0", new string((char)('a' + v % 6), 64), 1_000_000, $"c0ffee{v:00}", $"release {v}", "ci", now.AddDays(-40 + v).ToUnixTimeMilliseconds());
        tx.Commit();
    }

    private static (long Largest, long Small) SeedDeploys(SqliteConnection c, List<SeedEnvironment> envs, DateTimeOffset now, Random rng)
    {
        using var tx = c.BeginTransaction();
        using var deploys = new Insert(c, tx, "deploys", "app", "environment", "kind", "version", "from_version", "state", "requested_by", "trigger", "created_at", "finished_at", "reason");
        using var phases = new Insert(c, tx, "deploy_phases", "deploy_id", "name", "started_at", "ended_at");
        using var steps = new Insert(c, tx, "steps", "deploy_id", "host", "kind", "payload", "status", "started_at", "ended_at", "message");
        using var logs = new Insert(c, tx, "step_logs", "step_id", "at", "line");
        using var live = new Insert(c, tx, "live_versions", "app", "environment", "version", "deploy_id");
        long largest = 0, small = 0;
        var people = new[] { "ana", "bo", "chen", "dara", "ci-bot" };
        // The first app's production deploys are the 300-host ones: 20 of them; the rest share the other environments.
        var plan = Enumerable.Range(0, 20).Select(_ => envs[0])
            .Concat(Enumerable.Range(0, Deploys - 20).Select(i => envs[1 + i % (envs.Count - 1)])).ToList();
        var perEnv = plan.GroupBy(e => e).ToDictionary(g => g.Key, g => g.Count());
        var seen = new Dictionary<SeedEnvironment, int>();
        foreach (var env in plan)
        {
            var n = seen[env] = seen.GetValueOrDefault(env) + 1;
            var count = perEnv[env];
            var start = now.AddDays(-30) + TimeSpan.FromTicks((long)(TimeSpan.FromDays(29.9).Ticks * (n - 1) / (double)count)) + TimeSpan.FromMinutes(rng.Next(0, 60));
            var last = n == count;
            var roll = rng.NextDouble();
            var state = last ? DeployState.Succeeded : roll < 0.86 ? DeployState.Succeeded : roll < 0.94 ? DeployState.RolledBack : DeployState.Aborted;
            var version = $"{40 - count + n}.0.0";
            var took = TimeSpan.FromSeconds(40 + rng.Next(0, 80));
            var end = start + took;
            var id = deploys.Run(env.App, env.Name, "deploy", version, $"{39 - count + n}.0.0", WireNames.Of(state), people[rng.Next(people.Length)],
                n % 3 == 0 ? "button" : "cli", start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(),
                state == DeployState.Succeeded ? null : state == DeployState.RolledBack ? $"the judge failed {version}: /checkout 5xx: 51 of 75" : "aborted by ana");
            var names = new[] { DeployState.Converging, DeployState.Preparing, DeployState.Migrating, DeployState.Judging, DeployState.CuttingOver };
            for (var p = 0; p < names.Length; p++)
                phases.Run(id, WireNames.Of(names[p]), (start + took * p / names.Length).ToUnixTimeMilliseconds(), (start + took * (p + 1) / names.Length).ToUnixTimeMilliseconds());
            foreach (var host in env.Hosts)
                foreach (var kind in new[] { StepKind.Converge, StepKind.Prepare, StepKind.Check, StepKind.Activate })
                {
                    var failed = state != DeployState.Succeeded && kind == StepKind.Check && host == env.Hosts[0];
                    var step = steps.Run(id, host, WireNames.Of(kind), "{}", failed ? "failed" : "succeeded", start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(), failed ? "health check failed: 503" : "ok");
                    logs.Run(step, start.ToUnixTimeMilliseconds(), $"{WireNames.Of(kind)} on {host}: started");
                    logs.Run(step, end.ToUnixTimeMilliseconds(), $"{WireNames.Of(kind)} on {host}: {(failed ? "failed" : "done")}");
                }
            if (state == DeployState.Succeeded)
                live.Run(env.App, env.Name, last ? env.Live : version, id);
            if (env == envs[0])
                largest = id;
            else if (small == 0)
                small = id;
        }
        tx.Commit();
        return (largest, small);
    }

    private static async Task SeedEventsAndVerdictsAsync(SqliteStore store, SqliteConnection c, DateTimeOffset now, Random rng)
    {
        var recent = new List<(long Id, string App, string Env, string Version, long At)>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT id, app, environment, version, created_at FROM deploys ORDER BY id";
            using var r = cmd.ExecuteReader();
            while (r.Read())
                recent.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4)));
        }
        foreach (var d in recent)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(d.At);
            await store.AddEventAsync(new EventRecord(0, at, EventKinds.DeployStarted, $"deploy of {d.Version} started", "", [$"release:{d.Version}"], "crossfade", AlertTypes.Info, $"deploy-{d.Id}", null, d.App, d.Env, d.Id), default);
            if (rng.NextDouble() < 0.3)
                await store.AddVerdictAsync(new VerdictRecord(0, d.Id, at.AddSeconds(30), DeployState.Judging, JudgeOutcome.Pass, "cutting over", true,
                    $"{d.Version} is not worse: 12 checks over 12,000 vs 28,000 requests", 12_000, 28_000, "[]", true), default);
        }
    }

    /// <summary>A deploy whose step on one host is running: the benchmark plays that host's agent and appends output to it.</summary>
    private static async Task<(long Deploy, long Step, string Host, string Token)> SeedLiveDeployAsync(SqliteStore store, SqliteConnection c, DateTimeOffset now)
    {
        const string host = "h-live";
        var secret = TokenSecrets.New("cfa");
        await store.AddTokenAsync(new TokenRecord(TokenSecrets.Hash(secret), host, Roles.Agent, now), default);
        using var tx = c.BeginTransaction();
        using var deploys = new Insert(c, tx, "deploys", "app", "environment", "kind", "version", "from_version", "state", "requested_by", "trigger", "created_at", "owner", "heartbeat_at");
        // Held by an owner whose lease is fresh for a day: no server process takes it over during the benchmark.
        var id = deploys.Run("app-01", "qa", "deploy", "41.0.0", "40.0.0", WireNames.Of(DeployState.Preparing), "ana", "button", now.ToUnixTimeMilliseconds(), "bench", now.AddDays(1).ToUnixTimeMilliseconds());
        using var phases = new Insert(c, tx, "deploy_phases", "deploy_id", "name", "started_at", "ended_at");
        phases.Run(id, WireNames.Of(DeployState.Preparing), now.ToUnixTimeMilliseconds(), null);
        using var steps = new Insert(c, tx, "steps", "deploy_id", "host", "kind", "payload", "status", "started_at", "ended_at", "message");
        var step = steps.Run(id, host, WireNames.Of(StepKind.Prepare), "{}", "running", now.ToUnixTimeMilliseconds(), null, null);
        tx.Commit();
        return (id, step, host, secret);
    }
}
