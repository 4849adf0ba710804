using System.Globalization;
using System.Text;
using Crossfade.Contracts.V1;
using Crossfade.Core.Telemetry;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Crossfade.Server.Storage;

/// <summary>The dashboard's reads: each answers a whole page section in one query, whatever the number of apps, hosts or deploys.</summary>
public sealed partial class SqliteStore
{
    public async Task<IReadOnlyList<DeployRecord>> ListBoardDeploysAsync(CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<DeployRow>(new CommandDefinition(
            $"""
            SELECT * FROM deploys WHERE id IN (SELECT MAX(id) FROM deploys GROUP BY app, environment) OR state IN {ActiveStates}
            ORDER BY id DESC
            """, cancellationToken: ct));
        return rows.Select(ToRecord).ToList();
    }

    public async Task<IReadOnlyList<LiveVersion>> ListLiveVersionsAsync(CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(string app, string environment, string version, long deploy_id)>(new CommandDefinition(
            """
            SELECT l.app, l.environment, l.version, l.deploy_id FROM live_versions l
            JOIN (SELECT app, environment, MAX(deploy_id) AS last FROM live_versions GROUP BY app, environment) m
              ON m.app = l.app AND m.environment = l.environment AND m.last = l.deploy_id
            """, cancellationToken: ct));
        return rows.Select(r => new LiveVersion(r.app, r.environment, r.version, r.deploy_id)).ToList();
    }

    public async Task<IReadOnlyList<SeriesPoint>> ListSeriesAsync(
        string? app, string? environment, DateTimeOffset from, DateTimeOffset to, int bucketMinutes, bool hourly, CancellationToken ct)
    {
        if (bucketMinutes < 1)
            throw new ArgumentOutOfRangeException(nameof(bucketMinutes), "a bucket is at least a minute");
        await using var c = OpenWithHistograms();
        var fromMinute = from.ToUnixTimeSeconds() / 60;
        // Only the filters given, so SQLite uses the primary key (one environment) or the minute index (all of them).
        var which = app is null ? "" : environment is null ? "app = @app AND " : "app = @app AND environment = @environment AND ";
        var rows = await c.QueryAsync<(string app, string environment, long bucket, long requests, long errors, string hist)>(new CommandDefinition(
            $"""
            SELECT app, environment, minute / @bucketMinutes * @bucketMinutes AS bucket, SUM(requests), SUM(errors), hist_merge(hist)
            FROM {(hourly ? "environment_hours" : "environment_minutes")}
            WHERE {which}minute >= @from AND minute <= @to
            GROUP BY app, environment, bucket ORDER BY app, environment, bucket
            """,
            new { app, environment, bucketMinutes, from = hourly ? fromMinute / 60 * 60 : fromMinute, to = to.ToUnixTimeSeconds() / 60 },
            cancellationToken: ct));
        return rows.Select(r => new SeriesPoint(r.app, r.environment, r.bucket, r.requests, r.errors, r.hist)).ToList();
    }

    public async Task<IReadOnlyList<RouteStats>> ListRouteStatsAsync(
        string app, string environment, DateTimeOffset from, DateTimeOffset to, bool hourly, CancellationToken ct)
    {
        await using var c = OpenWithHistograms();
        var fromMinute = from.ToUnixTimeSeconds() / 60;
        var rows = await c.QueryAsync<(string method, string route, long requests, long errors, string hist)>(new CommandDefinition(
            $"""
            SELECT method, route, SUM(requests), SUM(errors), hist_merge(hist) FROM {(hourly ? "route_hours" : "route_minutes")}
            WHERE app = @app AND environment = @environment AND minute >= @from AND minute <= @to
            GROUP BY method, route ORDER BY SUM(requests) DESC
            """,
            new { app, environment, from = hourly ? fromMinute / 60 * 60 : fromMinute, to = to.ToUnixTimeSeconds() / 60 },
            cancellationToken: ct));
        return rows.Select(r => new RouteStats(r.method, r.route, r.requests, r.errors, r.hist)).ToList();
    }

    public async Task<IReadOnlyList<DeployRecord>> ListDeploysAsync(DeployFilter filter, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<DeployRow>(new CommandDefinition(
            """
            SELECT * FROM deploys
            WHERE (@App IS NULL OR app = @App) AND (@Environment IS NULL OR environment = @Environment)
              AND (@RequestedBy IS NULL OR requested_by = @RequestedBy) AND (@State IS NULL OR state = @State)
              AND (@Trigger IS NULL OR trigger = @Trigger) AND (@BeforeId IS NULL OR id < @BeforeId)
              AND (@Since IS NULL OR finished_at IS NULL OR finished_at >= @Since)
            ORDER BY id DESC LIMIT @Limit
            """,
            new
            {
                filter.App, filter.Environment, filter.RequestedBy, State = filter.State is { } s ? WireNames.Of(s) : null, filter.Trigger,
                filter.BeforeId, Since = filter.Since is { } since ? Ms(since) : (long?)null, Limit = Math.Clamp(filter.Limit, 1, 500),
            },
            cancellationToken: ct));
        return rows.Select(ToRecord).ToList();
    }

    public async Task<IReadOnlyList<(string Release, SeriesPoint Point)>> ListReleaseSeriesAsync(
        string app, string environment, IReadOnlyCollection<string> releases, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = OpenWithHistograms();
        var rows = await c.QueryAsync<(string release, long minute, long requests, long errors, string hist)>(new CommandDefinition(
            """
            SELECT release, minute, SUM(requests), SUM(errors), hist_merge(hist) FROM route_minutes
            WHERE app = @app AND environment = @environment AND minute >= @from AND minute <= @to AND release IN @releases
            GROUP BY release, minute ORDER BY release, minute
            """,
            new { app, environment, releases, from = from.ToUnixTimeSeconds() / 60, to = to.ToUnixTimeSeconds() / 60 }, cancellationToken: ct));
        return rows.Select(r => (r.release, new SeriesPoint(app, environment, r.minute, r.requests, r.errors, r.hist))).ToList();
    }

    /// <summary>A connection that can sum latency histograms in SQL (<c>hist_merge</c>), so a page reads one row per bucket, not one per host and route.</summary>
    private SqliteConnection OpenWithHistograms()
    {
        var connection = Open();
        connection.CreateAggregate<string?, long[]?, string>("hist_merge", null, MergeInto, Serialize, isDeterministic: true);
        return connection;
    }

    private static long[]? MergeInto(long[]? sum, string? hist)
    {
        if (string.IsNullOrEmpty(hist))
            return sum;
        sum ??= new long[LatencyHistogram.Bounds.Length + 1];
        var i = 0;
        foreach (var part in hist.AsSpan().Split(','))
        {
            if (i >= sum.Length)
                break;
            if (long.TryParse(hist.AsSpan()[part], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                sum[i] += count;
            i++;
        }
        return sum;
    }

    private static string Serialize(long[]? sum)
    {
        if (sum is null)
            return "";
        var text = new StringBuilder(sum.Length * 3);
        for (var i = 0; i < sum.Length; i++)
            text.Append(i == 0 ? "" : ",").Append(sum[i].ToString(CultureInfo.InvariantCulture));
        return text.ToString();
    }
}
