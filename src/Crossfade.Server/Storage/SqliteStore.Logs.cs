using System.Text;
using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task<IReadOnlyList<StoredLogLine>> SearchLogsAsync(LogQuery q, CancellationToken ct)
    {
        var sql = new StringBuilder("SELECT l.at, l.host, l.app, l.environment, l.file, l.level, l.text FROM log_lines l");
        if (q.Text is not null)
            sql.Append(" JOIN log_lines_fts f ON f.rowid = l.id AND log_lines_fts MATCH @Text");
        sql.Append(" WHERE l.app = @App AND l.environment = @Environment");
        if (q.Level is not null)
            sql.Append(" AND l.level = @Level");
        if (q.Host is not null)
            sql.Append(" AND l.host = @Host");
        if (q.From is not null)
            sql.Append(" AND l.at >= @From");
        if (q.To is not null)
            sql.Append(" AND l.at <= @To");
        sql.Append(" ORDER BY l.id DESC LIMIT @Limit");
        await using var c = Open();
        IEnumerable<(long At, string Host, string App, string Environment, string File, string? Level, string Text)> rows;
        try
        {
            rows = await c.QueryAsync<(long At, string Host, string App, string Environment, string File, string? Level, string Text)>(new CommandDefinition(sql.ToString(),
                new { q.Text, q.App, q.Environment, q.Level, q.Host, From = q.From is { } f ? Ms(f) : 0, To = q.To is { } t ? Ms(t) : 0, Limit = Math.Clamp(q.Limit, 1, 1000) },
                cancellationToken: ct));
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex) when (q.Text is not null && ex.SqliteErrorCode == 1)
        {
            // SQLITE_ERROR from MATCH: the full-text engine could not read the search.
            throw new SearchSyntaxException(ex.Message, ex);
        }
        return rows.Select(r => new StoredLogLine(At(r.At), r.Host, r.App, r.Environment, r.File, r.Level, r.Text)).ToList();
    }

    public async Task<IReadOnlyList<(string Method, string Route, DateTimeOffset FirstSeen, long Hits)>> NewRoutesAsync(string app, string environment, DateTimeOffset since, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(string Method, string Route, long First, long Hits)>(new CommandDefinition(
            // Routes whose first hour is the one of 'since' or later (the hourly rows of every host together are
            // few even over a year), then their first minute and hits from the per-minute rows of those hours only.
            """
            WITH fresh AS (
                SELECT method, route FROM route_hours WHERE app = @app AND environment = @environment
                GROUP BY method, route HAVING MIN(minute) >= @sinceHour)
            SELECT m.method, m.route, MIN(m.minute) AS first, SUM(m.requests) AS hits
            FROM route_minutes m JOIN fresh f ON f.method = m.method AND f.route = m.route
            WHERE m.app = @app AND m.environment = @environment AND m.minute >= @sinceHour
            GROUP BY m.method, m.route HAVING MIN(m.minute) >= @since ORDER BY hits DESC
            """,
            new { app, environment, since = since.ToUnixTimeSeconds() / 60, sinceHour = since.ToUnixTimeSeconds() / 3600 * 60 }, cancellationToken: ct));
        return rows.Select(r => (r.Method, r.Route, DateTimeOffset.FromUnixTimeSeconds(r.First * 60), r.Hits)).ToList();
    }

    public async Task<long> PruneTelemetryAsync(DateTimeOffset rawBefore, DateTimeOffset rollupsBefore, CancellationToken ct)
    {
        await using var c = Open();
        long removed = 0;
        var raw = Ms(rawBefore);
        var rollups = rollupsBefore.ToUnixTimeSeconds() / 60;
        // What is to go is found by a read first (no lock: ingest goes on meanwhile), so the write lock is
        // held only to delete, never for a scan that finds nothing; raw rows go by rowid in slices.
        foreach (var table in new[] { "access_records", "log_lines" })
        {
            while (true)
            {
                var last = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
                    $"SELECT MAX(rowid) FROM (SELECT rowid FROM {table} WHERE at < @raw ORDER BY rowid LIMIT 5000)", new { raw }, cancellationToken: ct));
                if (last is null)
                    break;
                removed += await c.ExecuteAsync(new CommandDefinition($"DELETE FROM {table} WHERE rowid <= @last AND at < @raw", new { last, raw }, cancellationToken: ct));
            }
        }
        // A batch mark older than the raw rows it guarded can go: its lines are gone too.
        foreach (var (table, where, before) in new[]
        {
            ("ingest_batches", "received_at < @before", raw), ("request_hours", "minute < @before", rollups), ("request_minutes", "minute < @before", rollups),
            ("environment_hours", "minute < @before", rollups), ("environment_minutes", "minute < @before", rollups),
            ("route_hours", "minute < @before", rollups), ("route_minutes", "minute < @before", rollups),
        })
        {
            if (await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT EXISTS (SELECT 1 FROM {table} WHERE {where})", new { before }, cancellationToken: ct)) == 1)
                removed += await c.ExecuteAsync(new CommandDefinition($"DELETE FROM {table} WHERE {where}", new { before }, cancellationToken: ct));
        }
        return removed;
    }

    public async Task<long> UsedBytesAsync(CancellationToken ct)
    {
        await using var c = Open();
        var pages = await c.ExecuteScalarAsync<long>("PRAGMA page_count");
        var free = await c.ExecuteScalarAsync<long>("PRAGMA freelist_count");
        var size = await c.ExecuteScalarAsync<long>("PRAGMA page_size");
        return (pages - free) * size;
    }
}
