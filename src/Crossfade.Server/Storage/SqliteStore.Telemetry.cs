using Crossfade.Core.Telemetry;
using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task<bool> IngestAsync(IngestWrite w, CancellationToken ct)
    {
        await using var c = Open();
        await using var tx = await c.BeginTransactionAsync(ct);
        var fresh = await c.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO ingest_batches (host, seq, lines, received_at) VALUES (@Host, @Seq, @Lines, @At)",
            new { w.Host, w.Seq, w.Lines, At = Ms(DateTimeOffset.UtcNow) }, tx, cancellationToken: ct)) == 1;
        if (!fresh)
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        if (w.Access.Count > 0)
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO access_records (at, host, app, environment, release, method, path, route, status, ms, bytes)
                VALUES (@At, @Host, @App, @Environment, @Release, @Method, @Path, @Route, @Status, @Ms, @Bytes)
                """,
                w.Access.Select(a => new { At = Ms(a.At), a.Host, a.App, a.Environment, a.Release, a.Method, a.Path, a.Route, a.Status, a.Ms, a.Bytes }), tx, cancellationToken: ct));
        if (w.Logs.Count > 0)
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO log_lines (at, host, app, environment, file, level, text) VALUES (@At, @Host, @App, @Environment, @File, @Level, @Text)",
                w.Logs.Select(l => new { At = Ms(l.At), l.Host, l.App, l.Environment, l.File, l.Level, l.Text }), tx, cancellationToken: ct));
        foreach (var m in w.Minutes)
        {
            // The histogram merges in code: read the minute's row (if any), add, write back.
            var existing = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT hist FROM request_minutes WHERE app = @App AND environment = @Environment AND minute = @Minute AND host = @Host AND release = @Release AND route = @Route AND method = @Method",
                m, tx, cancellationToken: ct));
            var hist = LatencyHistogram.Parse(m.Hist);
            if (existing is not null)
                hist.Merge(LatencyHistogram.Parse(existing));
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO request_minutes (app, environment, minute, host, release, route, method, requests, errors, ms_sum, hist)
                VALUES (@App, @Environment, @Minute, @Host, @Release, @Route, @Method, @Requests, @Errors, @MsSum, @Hist)
                ON CONFLICT DO UPDATE SET requests = requests + excluded.requests, errors = errors + excluded.errors,
                    ms_sum = ms_sum + excluded.ms_sum, hist = @Merged
                """,
                new { m.App, m.Environment, m.Minute, m.Host, m.Release, m.Route, m.Method, m.Requests, m.Errors, m.MsSum, m.Hist, Merged = hist.Serialize() },
                tx, cancellationToken: ct));
        }
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

    public async Task<IReadOnlyList<MinuteRollup>> ListMinutesAsync(string app, string environment, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<MinuteRollup>(new CommandDefinition(
            """
            SELECT minute AS Minute, app AS App, environment AS Environment, host AS Host, release AS Release, route AS Route, method AS Method,
                   requests AS Requests, errors AS Errors, ms_sum AS MsSum, hist AS Hist
            FROM request_minutes WHERE app = @app AND environment = @environment AND minute >= @from AND minute <= @to
            """,
            new { app, environment, from = from.ToUnixTimeSeconds() / 60, to = to.ToUnixTimeSeconds() / 60 }, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<long> CountAccessRecordsAsync(string app, string? environment, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            SELECT COUNT(*) FROM access_records WHERE app = @app AND (@environment IS NULL OR environment = @environment)
              AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at <= @to)
            """,
            new { app, environment, from = from is { } f ? Ms(f) : (long?)null, to = to is { } t ? Ms(t) : (long?)null }, cancellationToken: ct));
    }

    public async Task<IReadOnlyDictionary<string, long>> IngestCountersAsync(CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(string Name, long Value)>(new CommandDefinition("SELECT name, value FROM ingest_counters", cancellationToken: ct));
        return rows.ToDictionary(r => r.Name, r => r.Value);
    }
}
