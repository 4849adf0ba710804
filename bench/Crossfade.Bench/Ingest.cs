using System.Diagnostics;
using System.Globalization;
using System.Text;
using Crossfade.Cli;
using Crossfade.Contracts.V1;
using Crossfade.Demo;
using Crossfade.Load;

namespace Crossfade.Bench;

/// <summary>
/// End-to-end ingest on this machine: a real agent follows an access log that this benchmark writes
/// as fast as it can (a day of records over 50 routes, two releases, 1% 5xx), ships it to a real
/// server, which stores it; timed until every line is queryable. Then the dashboard's queries are
/// timed over the store, and the server's peak memory read from /proc.
/// </summary>
public static class Ingest
{
    private static readonly string[] Routes = [.. Enumerable.Range(0, 40).Select(i => $"/catalog/section-{i}"), "/listings", "/", "/offers", "/checkout", "/cart", "/search", "/my/feature", "/account", "/orders", "/help"];

    public static async Task<int> RunAsync(string[] args)
    {
        var total = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
        var queryRounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        await using var fleet = await LocalFleet.StartAsync(Path.Combine(Path.GetTempPath(), "cf-bench-ingest"), [("web-1", "web,migrator")], default, "cli");
        var releases = new BenchReleases(fleet, healthTimeoutSeconds: 120);
        await releases.PushAsync("1.0.0");
        var deployed = await new DeployWatcher(fleet.Api, TextWriter.Null).WatchAsync(await fleet.Api.DeployAsync("gear-shop", "production", "1.0.0", default), default);
        if (deployed.State != DeployState.Succeeded)
            throw new InvalidOperationException($"deploy failed: {deployed.Reason}");
        await Task.Delay(2000);
        var baseline = await CountAsync(fleet);

        var log = Path.Combine(fleet.AgentRoot("web-1"), "apps", "gear-shop", "shared", "log", "access.log");
        var started = Stopwatch.StartNew();
        var writing = Task.Run(() => Write(log, total));
        long stored = 0;
        var lastReport = TimeSpan.Zero;
        while (stored < total + baseline && started.Elapsed < TimeSpan.FromMinutes(30))
        {
            await Task.Delay(500);
            stored = await CountAsync(fleet);
            if (started.Elapsed - lastReport > TimeSpan.FromSeconds(15))
            {
                lastReport = started.Elapsed;
                Console.WriteLine($"  {started.Elapsed.TotalSeconds,5:0}s: written {(writing.IsCompleted ? total : -1),10} stored {stored - baseline,10} ({(stored - baseline) / started.Elapsed.TotalSeconds:0} lines/s)");
            }
        }
        var seconds = started.Elapsed.TotalSeconds;
        var writeSeconds = (await writing).TotalSeconds;
        var rows = stored - baseline;
        var perSecond = rows / seconds;
        Console.WriteLine($"ingest: {rows} access records written in {writeSeconds:0.0}s and queryable after {seconds:0.0}s end to end ({perSecond:0} lines/s)");

        var timings = new List<double>();
        var now = DateTimeOffset.UtcNow;
        var queries = new (string Name, Func<Task> Run)[]
        {
            ("requests by minute, last hour", () => fleet.Api.RequestStatsAsync("gear-shop", "production", "minute", default, now.AddHours(-1), now)),
            ("requests by route, last 24 h", () => fleet.Api.RequestStatsAsync("gear-shop", "production", "route", default, now.AddHours(-24), now)),
            ("requests by release, last 24 h", () => fleet.Api.RequestStatsAsync("gear-shop", "production", "release", default, now.AddHours(-24), now)),
            ("requests by host, last 6 h", () => fleet.Api.RequestStatsAsync("gear-shop", "production", "host", default, now.AddHours(-6), now)),
            ("requests, all, last 24 h", () => fleet.Api.RequestStatsAsync("gear-shop", "production", "all", default, now.AddHours(-24), now)),
            ("raw count, last 15 min", () => fleet.Api.RequestCountAsync("gear-shop", "production", now.AddMinutes(-15), now, default)),
            ("routes new since the deploy", () => fleet.Api.NewRoutesAsync("gear-shop", "production", "", default)),
            ("events, last 100", () => fleet.Api.EventsAsync("limit=100", default)),
        };
        foreach (var (name, run) in queries)
        {
            var each = new List<double>();
            for (var i = 0; i < queryRounds; i++)
            {
                var t = Stopwatch.StartNew();
                await run();
                each.Add(t.Elapsed.TotalMilliseconds);
            }
            timings.AddRange(each);
            Console.WriteLine($"  {name,-32} p50 {Percentiles.Of(each, 50),7:0.0} ms  p95 {Percentiles.Of(each, 95),7:0.0} ms");
        }
        var rss = fleet.ServerPeakRssBytes / (1024.0 * 1024);
        Console.WriteLine($"server peak RSS {rss:0} MB; store {new FileInfo(Path.Combine(fleet.Dir, "server", "crossfade.db")).Length / (1024 * 1024)} MB; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ingest: lines_per_s={perSecond:0} query_p95_ms={Percentiles.Of(timings, 95):0.0} rows={rows} server_rss_mb={rss:0}"));
        return 0;
    }

    private static Task<long> CountAsync(LocalFleet fleet) =>
        fleet.Api.RequestCountAsync("gear-shop", "production", DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddDays(1), default);

    /// <summary>Appends <paramref name="total"/> access records spread over the last 24 hours, in 1 MB writes of whole lines.</summary>
    private static TimeSpan Write(string path, long total)
    {
        var started = Stopwatch.StartNew();
        var random = new Random(42);
        var day = DateTimeOffset.UtcNow.AddHours(-24);
        var step = TimeSpan.FromHours(24).Ticks / total;
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1 << 20);
        var chunk = new StringBuilder(1 << 20);
        for (long i = 0; i < total; i++)
        {
            var at = day.AddTicks(step * i);
            var route = Routes[random.Next(Routes.Length)];
            var path2 = route.StartsWith("/catalog", StringComparison.Ordinal) ? $"{route}/{random.Next(1, 5000)}" : route;
            var status = random.Next(100) == 0 ? 503 : 200;
            chunk.Append(CultureInfo.InvariantCulture, $"{{\"ts\":\"{at:O}\",\"method\":\"GET\",\"path\":\"{path2}\",\"status\":{status},\"ms\":{random.NextDouble() * 40:0.###},\"bytes\":{random.Next(200, 9000)},\"release\":\"{(i < total / 2 ? "1.0.0" : "2.0.0")}\",\"client\":\"127.0.0.1\"}}\n");
            if (chunk.Length > (1 << 20) - 400)
            {
                var bytes = Encoding.UTF8.GetBytes(chunk.ToString());
                file.Write(bytes);
                file.Flush();
                chunk.Clear();
            }
        }
        file.Write(Encoding.UTF8.GetBytes(chunk.ToString()));
        file.Flush();
        return started.Elapsed;
    }
}
