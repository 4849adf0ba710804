using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task<IReadOnlyList<ErrorSighting>> RecordErrorsAsync(IReadOnlyList<ErrorSighting> sightings, CancellationToken ct)
    {
        var fresh = new List<ErrorSighting>();
        if (sightings.Count == 0)
            return fresh;
        await using var c = Open();
        await using var tx = await c.BeginTransactionAsync(ct);
        foreach (var s in sightings)
        {
            var inserted = await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT OR IGNORE INTO error_fingerprints (app, environment, fingerprint, message, top_frame, first_release, last_release, first_seen, last_seen, count)
                VALUES (@App, @Environment, @Fingerprint, @Message, @TopFrame, @Release, @Release, @At, @At, 1)
                """,
                new { s.App, s.Environment, s.Fingerprint, s.Message, s.TopFrame, s.Release, At = Ms(s.At) }, tx, cancellationToken: ct));
            if (inserted == 1)
            {
                fresh.Add(s);
                continue;
            }
            await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE error_fingerprints SET count = count + 1, last_seen = MAX(last_seen, @At), last_release = COALESCE(@Release, last_release)
                WHERE app = @App AND environment = @Environment AND fingerprint = @Fingerprint
                """,
                new { s.App, s.Environment, s.Fingerprint, s.Release, At = Ms(s.At) }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        return fresh;
    }

    public async Task<IReadOnlyList<ErrorGroup>> TopErrorsAsync(string app, string environment, DateTimeOffset since, int limit, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(string Fingerprint, string Message, string? TopFrame, string? FirstRelease, string? LastRelease, long FirstSeen, long LastSeen, long Count)>(new CommandDefinition(
            """
            SELECT fingerprint, message, top_frame, first_release, last_release, first_seen, last_seen, count FROM error_fingerprints
            WHERE app = @app AND environment = @environment AND last_seen >= @since ORDER BY count DESC LIMIT @limit
            """,
            new { app, environment, since = Ms(since), limit = Math.Clamp(limit, 1, 500) }, cancellationToken: ct));
        return rows.Select(r => new ErrorGroup(r.Fingerprint, r.Message, r.TopFrame, r.FirstRelease, r.LastRelease, At(r.FirstSeen), At(r.LastSeen), r.Count)).ToList();
    }
}
