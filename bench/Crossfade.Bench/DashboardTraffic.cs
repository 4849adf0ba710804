using Crossfade.Core.Telemetry;
using Microsoft.Data.Sqlite;

namespace Crossfade.Bench;

/// <summary>An environment of the seeded store: its app, name, hosts and the release it serves.</summary>
public sealed record SeedEnvironment(string App, string Name, string[] Hosts, string Live);

/// <summary>The seeded store's traffic: raw access records with every rollup ingest keeps beside them.</summary>
internal static class DashboardTraffic
{
    private static readonly string[] Routes = ["/", "/listings/{id}", "/offers", "/checkout", "/cart", "/my/feature"];

    /// <summary>Access records minute by minute over the last three days, with the rollups ingest would have kept; hourly rollups for the month before.</summary>
    public static long Seed(SqliteConnection c, List<SeedEnvironment> envs, long records, DateTimeOffset now, Random rng)
    {
        const int days = 3;
        var nowMinute = now.ToUnixTimeSeconds() / 60;
        var first = nowMinute - days * 1440;
        var perMinute = records / (days * 1440);
        var extra = records - perMinute * days * 1440;
        long written = 0;
        var hours = new Dictionary<(string, string, long, string, string, string), Acc>();
        SqliteTransaction? tx = null;
        Insert? access = null, minutes = null, envMinutes = null, routeMinutes = null;
        for (var minute = first; minute < nowMinute; minute++)
        {
            if (tx is null)
            {
                tx = c.BeginTransaction();
                access = new Insert(c, tx, "access_records", "at", "host", "app", "environment", "release", "method", "path", "route", "status", "ms", "bytes", "bot");
                minutes = new Insert(c, tx, "request_minutes", "app", "environment", "minute", "host", "release", "route", "method", "requests", "errors", "ms_sum", "hist");
                envMinutes = new Insert(c, tx, "environment_minutes", "app", "environment", "minute", "host", "release", "route", "method", "requests", "errors", "ms_sum", "hist");
                routeMinutes = new Insert(c, tx, "route_minutes", "app", "environment", "minute", "host", "release", "route", "method", "requests", "errors", "ms_sum", "hist");
            }
            var groups = new Dictionary<(string, string, string, string), Acc>();
            var envGroups = new Dictionary<(string, string), Acc>();
            var routeGroups = new Dictionary<(string, string, string, string), Acc>();
            var count = perMinute + (minute - first < extra ? 1 : 0);
            // Traffic follows the day: busier in the afternoon, quiet at night.
            var hourOfDay = DateTimeOffset.FromUnixTimeSeconds(minute * 60).Hour;
            for (var i = 0; i < count; i++)
            {
                var env = rng.NextDouble() < 0.3 ? envs[0] : envs[1 + rng.Next(envs.Count - 1)];
                var host = env.Hosts[rng.Next(env.Hosts.Length)];
                var route = Routes[rng.Next(Routes.Length)];
                var error = rng.NextDouble() < (hourOfDay == 3 ? 0.03 : 0.005);
                var ms = Math.Round(-Math.Log(1 - rng.NextDouble()) * 35 + 2, 1);
                var at = minute * 60_000 + rng.Next(60_000);
                access!.Run(at, host, env.App, env.Name, env.Live, "GET", route.Replace("{id}", "42", StringComparison.Ordinal), route, error ? 500 : 200, ms, 1500, 0);
                Add(groups, (env.App + "\n" + env.Name, host, route, env.Live), error, ms);
                Add(envGroups, (env.App, env.Name), error, ms);
                Add(routeGroups, (env.App, env.Name, route, env.Live), error, ms);
                Add(hours, (env.App, env.Name, minute / 60 * 60, host, route, env.Live), error, ms);
                written++;
            }
            foreach (var ((appEnv, host, route, release), acc) in groups)
            {
                var parts = appEnv.Split('\n');
                minutes!.Run(parts[0], parts[1], minute, host, release, route, "GET", acc.Requests, acc.Errors, acc.MsSum, acc.Hist.Serialize());
            }
            foreach (var ((app, env), acc) in envGroups)
                envMinutes!.Run(app, env, minute, "", "", "", "", acc.Requests, acc.Errors, acc.MsSum, acc.Hist.Serialize());
            foreach (var ((app, env, route, release), acc) in routeGroups)
                routeMinutes!.Run(app, env, minute, "", release, route, "GET", acc.Requests, acc.Errors, acc.MsSum, acc.Hist.Serialize());
            if ((minute + 1) % 60 == 0 || minute == nowMinute - 1)
            {
                FlushHours(c, tx, hours);
                access!.Dispose(); minutes!.Dispose(); envMinutes!.Dispose(); routeMinutes!.Dispose();
                tx.Commit();
                tx.Dispose();
                tx = null;
                if ((minute - first) % (6 * 60) < 60)
                    Console.WriteLine($"  seeded {written:N0} access records");
            }
        }
        SeedOlderHours(c, envs, first, rng);
        return written;
    }

    private static void FlushHours(SqliteConnection c, SqliteTransaction tx, Dictionary<(string, string, long, string, string, string), Acc> hours)
    {
        using var rows = new Insert(c, tx, "request_hours", "app", "environment", "minute", "host", "release", "route", "method", "requests", "errors", "ms_sum", "hist");
        using var envRows = new Insert(c, tx, "environment_hours", "app", "environment", "minute", "host", "release", "route", "method", "requests", "errors", "ms_sum", "hist");
        using var routeRows = new Insert(c, tx, "route_hours", "app", "environment", "minute", "host", "release", "route", "method", "requests", "errors", "ms_sum", "hist");
        var envs = new Dictionary<(string, string, long), Acc>();
        var routes = new Dictionary<(string, string, long, string, string), Acc>();
        foreach (var ((app, env, hour, host, route, release), acc) in hours)
        {
            rows.Run(app, env, hour, host, release, route, "GET", acc.Requests, acc.Errors, acc.MsSum, acc.Hist.Serialize());
            Sum(envs, (app, env, hour), acc);
            Sum(routes, (app, env, hour, route, release), acc);
        }
        foreach (var ((app, env, hour), acc) in envs)
            envRows.Run(app, env, hour, "", "", "", "", acc.Requests, acc.Errors, acc.MsSum, acc.Hist.Serialize());
        foreach (var ((app, env, hour, route, release), acc) in routes)
            routeRows.Run(app, env, hour, "", release, route, "GET", acc.Requests, acc.Errors, acc.MsSum, acc.Hist.Serialize());
        hours.Clear();
    }

    /// <summary>The month before the raw records: hourly rollups per environment and route (raw records of that age would be pruned anyway).</summary>
    private static void SeedOlderHours(SqliteConnection c, List<SeedEnvironment> envs, long firstRawMinute, Random rng)
    {
        using var tx = c.BeginTransaction();
        using var rows = new Insert(c, tx, "request_hours", "app", "environment", "minute", "host", "release", "route", "method", "requests", "errors", "ms_sum", "hist");
        using var envRows = new Insert(c, tx, "environment_hours", "app", "environment", "minute", "host", "release", "route", "method", "requests", "errors", "ms_sum", "hist");
        using var routeRows = new Insert(c, tx, "route_hours", "app", "environment", "minute", "host", "release", "route", "method", "requests", "errors", "ms_sum", "hist");
        var start = firstRawMinute / 60 * 60 - 27 * 1440;
        for (var hour = start; hour < firstRawMinute / 60 * 60; hour += 60)
            foreach (var env in envs)
            {
                var total = new Acc();
                foreach (var route in Routes)
                {
                    var acc = new Acc();
                    var n = env == envs[0] ? 300 : 5 + rng.Next(10);
                    for (var i = 0; i < Math.Min(n, 8); i++)
                        acc.Add(rng.NextDouble() < 0.005, Math.Round(-Math.Log(1 - rng.NextDouble()) * 35 + 2, 1));
                    acc.Requests = n;
                    rows.Run(env.App, env.Name, hour, "", env.Live, route, "GET", acc.Requests, acc.Errors, acc.MsSum, acc.Hist.Serialize());
                    routeRows.Run(env.App, env.Name, hour, "", env.Live, route, "GET", acc.Requests, acc.Errors, acc.MsSum, acc.Hist.Serialize());
                    total.Merge(acc);
                }
                envRows.Run(env.App, env.Name, hour, "", "", "", "", total.Requests, total.Errors, total.MsSum, total.Hist.Serialize());
            }
        tx.Commit();
    }

    private static void Sum<TKey>(Dictionary<TKey, Acc> sums, TKey key, Acc acc) where TKey : notnull
    {
        if (!sums.TryGetValue(key, out var sum))
            sums[key] = sum = new Acc();
        sum.Merge(acc);
    }

    private static void Add<TKey>(Dictionary<TKey, Acc> groups, TKey key, bool error, double ms) where TKey : notnull
    {
        if (!groups.TryGetValue(key, out var acc))
            groups[key] = acc = new Acc();
        acc.Add(error, ms);
    }

    private sealed class Acc
    {
        public long Requests;
        public long Errors;
        public double MsSum;
        public LatencyHistogram Hist { get; } = new();

        public void Add(bool error, double ms)
        {
            Requests++;
            Errors += error ? 1 : 0;
            MsSum += ms;
            Hist.Add(ms);
        }

        public void Merge(Acc other)
        {
            Requests += other.Requests;
            Errors += other.Errors;
            MsSum += other.MsSum;
            Hist.Merge(other.Hist);
        }
    }
}
