using Crossfade.Contracts.V1;
using Crossfade.Core.Telemetry;
using Crossfade.Server.Storage;

namespace Crossfade.Tests.Server.Dashboard;

/// <summary>The dashboard's reads on a real SQLite store: environment rollups kept at ingest, merged histograms, the board, the history filter.</summary>
public sealed class DashboardQueriesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-dash-store-").FullName;
    private readonly SqliteStore _store;
    private readonly DateTimeOffset _t0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    public DashboardQueriesTests() => _store = new SqliteStore(Path.Combine(_dir, "crossfade.db"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static MinuteRollup Rollup(long minute, string host, string route, long requests, long errors, params double[] ms)
    {
        var hist = new LatencyHistogram();
        foreach (var m in ms)
            hist.Add(m);
        return new MinuteRollup(minute, "shop", "prod", host, "2.0.0", route, "GET", requests, errors, ms.Sum(), hist.Serialize());
    }

    private long Minute(int offset) => _t0.ToUnixTimeSeconds() / 60 + offset;

    private Task<bool> IngestAsync(int seq, params MinuteRollup[] minutes) =>
        _store.IngestAsync(new IngestWrite("web-1", seq, minutes.Length, [], [], minutes, new Dictionary<string, long>(), _t0), default);

    [Fact]
    public async Task EnvironmentSeries_SumsHostsAndRoutes_PerBucket_WithTheHistogramsMerged()
    {
        await IngestAsync(1, Rollup(Minute(0), "web-1", "/a", 2, 1, 10, 20), Rollup(Minute(0), "web-2", "/b", 1, 0, 900));
        await IngestAsync(2, Rollup(Minute(0), "web-1", "/a", 1, 0, 30), Rollup(Minute(1), "web-1", "/a", 4, 0, 5, 5, 5, 5));
        await _store.IngestAsync(new IngestWrite("web-1", 3, 1, [], [], [Rollup(Minute(0), "web-1", "/a", 1, 1, 40) with { App = "other" }], new Dictionary<string, long>(), _t0), default);

        var perMinute = await _store.ListSeriesAsync("shop", "prod", _t0, _t0.AddMinutes(5), 1, false, default);
        perMinute.Select(p => (p.Minute, p.Requests, p.Errors)).ShouldBe([(Minute(0), 4L, 1L), (Minute(1), 4L, 0L)]);
        LatencyHistogram.Parse(perMinute[0].Hist).Count.ShouldBe(4);
        LatencyHistogram.Parse(perMinute[0].Hist).Percentile(0.99).ShouldBeGreaterThan(500, "web-2's slow request is in the merged histogram");

        var fiveMinutes = await _store.ListSeriesAsync("shop", "prod", _t0, _t0.AddMinutes(5), 5, false, default);
        fiveMinutes.Single().Requests.ShouldBe(8);
        var hourly = await _store.ListSeriesAsync("shop", "prod", _t0, _t0.AddHours(1), 60, true, default);
        (hourly.Single().Requests, LatencyHistogram.Parse(hourly.Single().Hist).Count).ShouldBe((8L, 8L));

        var everyApp = await _store.ListSeriesAsync(null, null, _t0, _t0.AddMinutes(5), 5, false, default);
        everyApp.Select(p => (p.App, p.Requests)).ShouldBe([("other", 1L), ("shop", 8L)]);
    }

    [Fact]
    public async Task RouteStats_AreMergedOverHostsAndMinutes_BusiestFirst_AndReleaseSeriesKeepReleasesApart()
    {
        await IngestAsync(1, Rollup(Minute(0), "web-1", "/a", 2, 1, 10, 20), Rollup(Minute(0), "web-2", "/a", 1, 0, 30), Rollup(Minute(1), "web-1", "/b", 5, 5, 1, 1, 1, 1, 1));
        await IngestAsync(2, Rollup(Minute(1), "web-1", "/a", 1, 0, 40) with { Release = "2.1.0" });

        var routes = await _store.ListRouteStatsAsync("shop", "prod", _t0, _t0.AddMinutes(1), false, default);
        routes.Select(r => (r.Route, r.Requests, r.Errors)).ShouldBe([("/b", 5L, 5L), ("/a", 4L, 1L)]);
        var firstMinuteOnly = await _store.ListRouteStatsAsync("shop", "prod", _t0, _t0, false, default);
        firstMinuteOnly.Single().Requests.ShouldBe(3);

        var releases = await _store.ListReleaseSeriesAsync("shop", "prod", ["2.0.0", "2.1.0"], _t0, _t0.AddMinutes(2), default);
        releases.Where(r => r.Release == "2.1.0").Select(r => r.Point.Requests).ShouldBe([1L]);
        releases.Where(r => r.Release == "2.0.0").Select(r => r.Point.Requests).ShouldBe([3L, 5L]);
    }

    [Fact]
    public async Task Board_HasTheNewestDeployOfEachEnvironment_AndEveryUnfinishedOne_AndLiveVersionsOfAll()
    {
        async Task<DeployRecord> Add(string app, string env, DeployState state, bool queue = false)
        {
            var (d, _) = await _store.CreateDeployAsync(new DeployRecord(0, app, env, DeployKind.Deploy, "1.0.0", null, state, "ann", "button", _t0, null, null), null, queue, default);
            if (Outcomes(state))
                await _store.SetDeployStateAsync(d.Id, state, null, _t0, true, default);
            return d;
        }
        static bool Outcomes(DeployState s) => s is DeployState.Succeeded or DeployState.RolledBack;
        var old = await Add("shop", "prod", DeployState.Succeeded);
        var newest = await Add("shop", "prod", DeployState.RolledBack);
        var running = await Add("shop", "staging", DeployState.Preparing);
        var queued = await Add("shop", "staging", DeployState.Queued, queue: true);
        var other = await Add("blog", "prod", DeployState.Succeeded);
        await _store.SetLiveVersionAsync("shop", "prod", "1.0.0", old.Id, default);
        await _store.SetLiveVersionAsync("shop", "prod", "0.9.0", newest.Id, default);
        await _store.SetLiveVersionAsync("blog", "prod", "3.0.0", other.Id, default);

        var board = await _store.ListBoardDeploysAsync(default);
        board.Select(d => d.Id).ShouldBe([other.Id, queued.Id, running.Id, newest.Id]);
        var live = await _store.ListLiveVersionsAsync(default);
        live.OrderBy(l => l.App).Select(l => (l.App, l.Version)).ShouldBe([("blog", "3.0.0"), ("shop", "0.9.0")]);

        var filtered = await _store.ListDeploysAsync(new DeployFilter(App: "shop", State: DeployState.Succeeded), default);
        filtered.Select(d => d.Id).ShouldBe([old.Id]);
        (await _store.ListDeploysAsync(new DeployFilter(Environment: "staging", Limit: 1), default)).Single().Id.ShouldBe(queued.Id);
        (await _store.ListDeploysAsync(new DeployFilter(BeforeId: running.Id), default)).Select(d => d.Id).ShouldBe([newest.Id, old.Id]);
        (await _store.ListDeploysAsync(new DeployFilter(RequestedBy: "bob"), default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task EnvironmentAndRouteRollups_AreBackfilledFromTheDetailedOnes_WhenAnOlderStoreIsOpened()
    {
        await IngestAsync(1, Rollup(Minute(0), "web-1", "/a", 2, 1, 10, 20), Rollup(Minute(0), "web-2", "/b", 3, 0, 5, 5, 5));
        var path = Path.Combine(_dir, "crossfade.db");
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            // As a store from before the environment rollups: what they and the later migrations made gone, the schema back to then.
            cmd.CommandText = "DROP TABLE environment_minutes; DROP TABLE environment_hours; DROP TABLE route_minutes; DROP TABLE route_hours; "
                + "ALTER TABLE hosts DROP COLUMN instances; ALTER TABLE hosts DROP COLUMN agent_version; ALTER TABLE hosts DROP COLUMN rid; ALTER TABLE hosts DROP COLUMN binary_sha256; ALTER TABLE hosts DROP COLUMN upgrade_wanted; DROP TABLE audit; DROP TABLE freezes; DROP TABLE schedules; DROP TABLE builds; DROP TABLE build_logs; DROP TABLE hook_deliveries; DROP TABLE hook_secrets; DROP TABLE outbox; DROP TABLE chat_messages; PRAGMA user_version = " + Migrations().ToList().FindIndex(m => m.Contains("CREATE TABLE environment_minutes", StringComparison.Ordinal));
            cmd.ExecuteNonQuery();
        }

        var reopened = new SqliteStore(path);

        var series = await reopened.ListSeriesAsync("shop", "prod", _t0, _t0.AddMinutes(1), 1, false, default);
        (series.Single().Requests, series.Single().Errors, LatencyHistogram.Parse(series.Single().Hist).Count).ShouldBe((5L, 1L, 5L));
        (await reopened.ListSeriesAsync("shop", "prod", _t0, _t0.AddHours(1), 60, true, default)).Single().Requests.ShouldBe(5);
        (await reopened.ListRouteStatsAsync("shop", "prod", _t0, _t0, false, default)).Select(r => (r.Route, r.Requests)).ShouldBe([("/b", 3L), ("/a", 2L)]);
        (await reopened.ListRouteStatsAsync("shop", "prod", _t0, _t0, true, default)).Sum(r => r.Requests).ShouldBe(5);
    }

    private static string[] Migrations() =>
        (string[])typeof(SqliteStore).Assembly.GetType("Crossfade.Server.Storage.SqliteSchema")!.GetField("Migrations")!.GetValue(null)!;

    [Fact]
    public async Task HostHeartbeat_KeepsItsInstances_AndAHeartbeatWithoutThemKeepsTheLastOnes()
    {
        await _store.UpsertHostAsync("web-1", ["web"], _t0, default);
        (await _store.ListHostsAsync(default)).Single().InstancesJson.ShouldBe("[]");
        await _store.TouchHostAsync("web-1", "{\"shop\":\"2.0.0\"}", _t0, default, "[{\"app\":\"shop\",\"kind\":\"live\"}]");
        await _store.TouchHostAsync("web-1", "{\"shop\":\"2.0.0\"}", _t0.AddSeconds(5), default);

        var host = (await _store.ListHostsAsync(default)).Single();
        host.InstancesJson.ShouldContain("\"kind\":\"live\"", customMessage: "an older agent's heartbeat (no instances) leaves the last report");
        host.LastSeen.ShouldBe(_t0.AddSeconds(5));
    }
}
