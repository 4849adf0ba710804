using Crossfade.Core.Telemetry;
using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    // SQLite takes one writer at a time and lets waiting writers poll for the lock, newest often
    // first: batches from many hosts queue here instead, in the order they came, so none waits for seconds.
    private readonly SemaphoreSlim _ingestWriter = new(1, 1);

    public async Task<bool> IngestAsync(IngestWrite w, CancellationToken ct)
    {
        await _ingestWriter.WaitAsync(ct);
        try
        {
            return await IngestOnceAsync(w, ct);
        }
        finally
        {
            _ingestWriter.Release();
        }
    }

    private async Task<bool> IngestOnceAsync(IngestWrite w, CancellationToken ct)
    {
        await using var c = Open();
        await using var tx = await c.BeginTransactionAsync(ct);
        var fresh = await c.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO ingest_batches (host, seq, lines, received_at) VALUES (@Host, @Seq, @Lines, @At)",
            new { w.Host, w.Seq, w.Lines, At = Ms(w.ReceivedAt) }, tx, cancellationToken: ct)) == 1;
        if (!fresh)
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        InsertAccess(c, tx, w.Access);
        InsertLogs(c, tx, w.Logs);
        await UpsertRollupsAsync(c, tx, "request_minutes", w.Minutes, ct);
        // Hours are the minutes summed: long ranges read 60 times fewer rows.
        var hours = w.Minutes.GroupBy(m => m with { Minute = m.Minute / 60 * 60, Requests = 0, Errors = 0, MsSum = 0, Hist = "" })
            .Select(g => g.Key with { Requests = g.Sum(m => m.Requests), Errors = g.Sum(m => m.Errors), MsSum = g.Sum(m => m.MsSum), Hist = MergeAll(g.Select(m => m.Hist)) })
            .ToList();
        await UpsertRollupsAsync(c, tx, "request_hours", hours, ct);
        await UpsertRollupsAsync(c, tx, "environment_minutes", Collapse(w.Minutes, 1, perRoute: false), ct);
        await UpsertRollupsAsync(c, tx, "environment_hours", Collapse(w.Minutes, 60, perRoute: false), ct);
        await UpsertRollupsAsync(c, tx, "route_minutes", Collapse(w.Minutes, 1, perRoute: true), ct);
        await UpsertRollupsAsync(c, tx, "route_hours", Collapse(w.Minutes, 60, perRoute: true), ct);
        await AddCountersAsync(c, tx, w.Counters, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task AddIngestCountersAsync(IReadOnlyDictionary<string, long> counters, CancellationToken ct)
    {
        await using var c = Open();
        await using var tx = await c.BeginTransactionAsync(ct);
        await AddCountersAsync(c, tx, counters, ct);
        await tx.CommitAsync(ct);
    }

    private static async Task AddCountersAsync(Microsoft.Data.Sqlite.SqliteConnection c, System.Data.Common.DbTransaction tx, IReadOnlyDictionary<string, long> counters, CancellationToken ct)
    {
        foreach (var (name, value) in counters.Where(kv => kv.Value != 0))
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO ingest_counters (name, value) VALUES (@name, @value) ON CONFLICT DO UPDATE SET value = value + excluded.value",
                new { name, value }, tx, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<MinuteRollup>> ListMinutesAsync(string app, string environment, DateTimeOffset from, DateTimeOffset to, CancellationToken ct, bool hourly = false)
    {
        await using var c = Open();
        var fromMinute = from.ToUnixTimeSeconds() / 60;
        var rows = await c.QueryAsync<MinuteRollup>(new CommandDefinition(
            $"""
            SELECT minute AS Minute, app AS App, environment AS Environment, host AS Host, release AS Release, route AS Route, method AS Method,
                   requests AS Requests, errors AS Errors, ms_sum AS MsSum, hist AS Hist
            FROM {(hourly ? "request_hours" : "request_minutes")} WHERE app = @app AND environment = @environment AND minute >= @from AND minute <= @to
            """,
            new { app, environment, from = hourly ? fromMinute / 60 * 60 : fromMinute, to = to.ToUnixTimeSeconds() / 60 }, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<IReadOnlyDictionary<DateTimeOffset, long>> ListHourlyRequestsAsync(string app, string environment, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(long Minute, long Requests)>(new CommandDefinition(
            """
            SELECT minute, SUM(requests) FROM request_hours
            WHERE app = @app AND environment = @environment AND minute >= @from AND minute < @to GROUP BY minute
            """,
            new { app, environment, from = from.ToUnixTimeSeconds() / 3600 * 60, to = to.ToUnixTimeSeconds() / 60 }, cancellationToken: ct));
        return rows.ToDictionary(r => DateTimeOffset.FromUnixTimeSeconds(r.Minute * 60), r => r.Requests);
    }

    /// <summary>
    /// Rollups summed over hosts (and, unless <paramref name="perRoute"/>, over releases and routes too), in
    /// buckets of <paramref name="minutes"/>: an environment's or its routes' own rows.
    /// </summary>
    private static List<MinuteRollup> Collapse(IReadOnlyList<MinuteRollup> rollups, int minutes, bool perRoute) =>
        rollups.GroupBy(m => (m.App, m.Environment, Minute: m.Minute / minutes * minutes,
                Release: perRoute ? m.Release : "", Route: perRoute ? m.Route : "", Method: perRoute ? m.Method : ""))
            .Select(g => new MinuteRollup(g.Key.Minute, g.Key.App, g.Key.Environment, "", g.Key.Release, g.Key.Route, g.Key.Method,
                g.Sum(m => m.Requests), g.Sum(m => m.Errors), g.Sum(m => m.MsSum), MergeAll(g.Select(m => m.Hist))))
            .ToList();

    private static string MergeAll(IEnumerable<string> histograms)
    {
        var merged = new LatencyHistogram();
        foreach (var h in histograms)
            merged.Merge(LatencyHistogram.Parse(h));
        return merged.Serialize();
    }

    private static void InsertAccess(Microsoft.Data.Sqlite.SqliteConnection c, System.Data.Common.DbTransaction tx, IReadOnlyList<StoredAccess> rows)
    {
        if (rows.Count == 0)
            return;
        // One prepared statement for the whole batch: the hot path of ingest.
        using var cmd = c.CreateCommand();
        cmd.Transaction = (Microsoft.Data.Sqlite.SqliteTransaction)tx;
        cmd.CommandText = "INSERT INTO access_records (at, host, app, environment, release, method, path, route, status, ms, bytes, bot) VALUES ($at, $host, $app, $env, $release, $method, $path, $route, $status, $ms, $bytes, $bot)";
        var p = new[] { "$at", "$host", "$app", "$env", "$release", "$method", "$path", "$route", "$status", "$ms", "$bytes", "$bot" }.Select(n => cmd.Parameters.Add(n, Microsoft.Data.Sqlite.SqliteType.Text)).ToArray();
        cmd.Prepare();
        foreach (var a in rows)
        {
            p[0].Value = Ms(a.At);
            p[1].Value = a.Host;
            p[2].Value = a.App;
            p[3].Value = a.Environment;
            p[4].Value = a.Release;
            p[5].Value = a.Method;
            p[6].Value = a.Path;
            p[7].Value = a.Route;
            p[8].Value = a.Status;
            p[9].Value = a.Ms;
            p[10].Value = a.Bytes;
            p[11].Value = a.Bot ? 1 : 0;
            cmd.ExecuteNonQuery();
        }
    }

    private static void InsertLogs(Microsoft.Data.Sqlite.SqliteConnection c, System.Data.Common.DbTransaction tx, IReadOnlyList<StoredLogLine> rows)
    {
        if (rows.Count == 0)
            return;
        using var cmd = c.CreateCommand();
        cmd.Transaction = (Microsoft.Data.Sqlite.SqliteTransaction)tx;
        cmd.CommandText = "INSERT INTO log_lines (at, host, app, environment, file, level, text) VALUES ($at, $host, $app, $env, $file, $level, $text)";
        var p = new[] { "$at", "$host", "$app", "$env", "$file", "$level", "$text" }.Select(n => cmd.Parameters.Add(n, Microsoft.Data.Sqlite.SqliteType.Text)).ToArray();
        cmd.Prepare();
        foreach (var l in rows)
        {
            p[0].Value = Ms(l.At);
            p[1].Value = l.Host;
            p[2].Value = l.App;
            p[3].Value = l.Environment;
            p[4].Value = l.File;
            p[5].Value = (object?)l.Level ?? DBNull.Value;
            p[6].Value = l.Text;
            cmd.ExecuteNonQuery();
        }
    }

    private static async Task UpsertRollupsAsync(Microsoft.Data.Sqlite.SqliteConnection c, System.Data.Common.DbTransaction tx, string table, IReadOnlyList<MinuteRollup> rollups, CancellationToken ct)
    {
        foreach (var m in rollups)
        {
            // The histogram merges in code: read the row (if any), add, write back.
            var existing = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                $"SELECT hist FROM {table} WHERE app = @App AND environment = @Environment AND minute = @Minute AND host = @Host AND release = @Release AND route = @Route AND method = @Method",
                m, tx, cancellationToken: ct));
            var hist = LatencyHistogram.Parse(m.Hist);
            if (existing is not null)
                hist.Merge(LatencyHistogram.Parse(existing));
            await c.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO {table} (app, environment, minute, host, release, route, method, requests, errors, ms_sum, hist)
                VALUES (@App, @Environment, @Minute, @Host, @Release, @Route, @Method, @Requests, @Errors, @MsSum, @Hist)
                ON CONFLICT DO UPDATE SET requests = requests + excluded.requests, errors = errors + excluded.errors,
                    ms_sum = ms_sum + excluded.ms_sum, hist = @Merged
                """,
                new { m.App, m.Environment, m.Minute, m.Host, m.Release, m.Route, m.Method, m.Requests, m.Errors, m.MsSum, m.Hist, Merged = hist.Serialize() },
                tx, cancellationToken: ct));
        }
    }

    public async Task<long> CountAccessRecordsAsync(string app, string? environment, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        // Only the filters given, so SQLite can use the (app, environment, at) index: "@x IS NULL OR" would make it scan.
        var sql = new System.Text.StringBuilder("SELECT COUNT(*) FROM access_records WHERE app = @app");
        if (environment is not null)
            sql.Append(" AND environment = @environment");
        if (from is not null)
            sql.Append(" AND at >= @from");
        if (to is not null)
            sql.Append(" AND at <= @to");
        await using var c = Open();
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(sql.ToString(),
            new { app, environment, from = from is { } f ? Ms(f) : 0, to = to is { } t ? Ms(t) : 0 }, cancellationToken: ct));
    }

    public async Task<IReadOnlyDictionary<string, long>> IngestCountersAsync(CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(string Name, long Value)>(new CommandDefinition("SELECT name, value FROM ingest_counters", cancellationToken: ct));
        return rows.ToDictionary(r => r.Name, r => r.Value);
    }
}
