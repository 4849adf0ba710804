using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    private const string BuildColumns = "id, app, ref, sha, environment, state, version, message, requested_by, trigger, created_at, started_at, finished_at, deploy_id, reason, host";

    public async Task<(BuildRecord Build, IReadOnlyList<long> Superseded)> QueueBuildAsync(BuildRecord draft, CancellationToken ct)
    {
        await using var c = Open();
        await using var tx = c.BeginTransaction(deferred: false);
        var superseded = (await c.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM builds WHERE app = @App AND ref = @Ref AND state = @queued", new { draft.App, draft.Ref, queued = BuildStates.Queued }, tx, cancellationToken: ct))).ToList();
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO builds (app, ref, sha, environment, state, version, message, requested_by, trigger, created_at)
            VALUES (@App, @Ref, @Sha, @Environment, @State, @Version, @Message, @RequestedBy, @Trigger, @CreatedAt);
            SELECT last_insert_rowid();
            """,
            new { draft.App, draft.Ref, draft.Sha, draft.Environment, State = BuildStates.Queued, draft.Version, draft.Message, draft.RequestedBy, draft.Trigger, CreatedAt = Ms(draft.CreatedAt) },
            tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE builds SET state = @superseded, finished_at = @at, reason = @reason WHERE id IN @ids",
            new { superseded = BuildStates.Superseded, at = Ms(draft.CreatedAt), reason = $"superseded by build #{id}, a newer push of the same ref", ids = superseded }, tx, cancellationToken: ct));
        tx.Commit();
        return (draft with { Id = id, State = BuildStates.Queued }, superseded);
    }

    public async Task<BuildRecord?> ClaimBuildAsync(DateTimeOffset at, CancellationToken ct)
    {
        await using var c = Open();
        await using var tx = c.BeginTransaction(deferred: false);
        var id = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            SELECT id FROM builds AS b WHERE state = @queued
              AND NOT EXISTS (SELECT 1 FROM builds AS r WHERE r.app = b.app AND r.ref = b.ref AND r.state = @running)
            ORDER BY id LIMIT 1
            """,
            new { queued = BuildStates.Queued, running = BuildStates.Running }, tx, cancellationToken: ct));
        if (id is null)
            return null;
        await c.ExecuteAsync(new CommandDefinition("UPDATE builds SET state = @running, started_at = @at WHERE id = @id",
            new { running = BuildStates.Running, at = Ms(at), id }, tx, cancellationToken: ct));
        tx.Commit();
        return await GetBuildAsync(id.Value, ct);
    }

    public async Task UpdateBuildAsync(BuildRecord b, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE builds SET sha = @Sha, state = @State, version = @Version, message = @Message, finished_at = @FinishedAt, deploy_id = @DeployId, reason = @Reason, host = @Host
            WHERE id = @Id
            """,
            new { b.Id, b.Sha, b.State, b.Version, b.Message, FinishedAt = b.FinishedAt is { } f ? Ms(f) : (long?)null, b.DeployId, b.Reason, b.Host }, cancellationToken: ct));
    }

    public async Task<BuildRecord?> GetBuildAsync(long id, CancellationToken ct)
    {
        await using var c = Open();
        var row = await c.QuerySingleOrDefaultAsync<BuildRow>(new CommandDefinition($"SELECT {BuildColumns} FROM builds WHERE id = @id", new { id }, cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    public async Task<IReadOnlyList<BuildRecord>> ListBuildsAsync(string? app, int limit, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<BuildRow>(new CommandDefinition(
            $"SELECT {BuildColumns} FROM builds WHERE @app IS NULL OR app = @app ORDER BY id DESC LIMIT @limit",
            new { app, limit = Math.Clamp(limit, 1, 500) }, cancellationToken: ct));
        return rows.Select(ToRecord).ToList();
    }

    public async Task AppendBuildLogAsync(long buildId, IReadOnlyList<(DateTimeOffset At, string Line)> lines, CancellationToken ct)
    {
        if (lines.Count == 0)
            return;
        await using var c = Open();
        await using var tx = c.BeginTransaction(deferred: false);
        var next = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COALESCE(MAX(seq), 0) FROM build_logs WHERE build_id = @buildId", new { buildId }, tx, cancellationToken: ct));
        foreach (var (at, line) in lines)
            await c.ExecuteAsync(new CommandDefinition("INSERT INTO build_logs (build_id, seq, at, line) VALUES (@buildId, @seq, @at, @line)",
                new { buildId, seq = ++next, at = Ms(at), line }, tx, cancellationToken: ct));
        tx.Commit();
    }

    public async Task<IReadOnlyList<(long Seq, DateTimeOffset At, string Line)>> ReadBuildLogAsync(long buildId, long afterSeq, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(long seq, long at, string line)>(new CommandDefinition(
            "SELECT seq, at, line FROM build_logs WHERE build_id = @buildId AND seq > @afterSeq ORDER BY seq LIMIT 10000", new { buildId, afterSeq }, cancellationToken: ct));
        return rows.Select(r => (r.seq, At(r.at), r.line)).ToList();
    }

    public async Task<bool> RecordDeliveryAsync(string provider, string delivery, string app, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO hook_deliveries (provider, app, delivery, received_at) VALUES (@provider, @app, @delivery, @at)",
            new { provider, delivery, app, at = Ms(at) }, cancellationToken: ct)) == 1;
    }

    public async Task SetHookSecretAsync(string app, string ciphertext, string by, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO hook_secrets (app, ciphertext, created_by, created_at) VALUES (@app, @ciphertext, @by, @at) ON CONFLICT(app) DO UPDATE SET ciphertext = excluded.ciphertext, created_by = excluded.created_by, created_at = excluded.created_at",
            new { app, ciphertext, by, at = Ms(at) }, cancellationToken: ct));
    }

    public async Task<string?> GetHookSecretAsync(string app, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT ciphertext FROM hook_secrets WHERE app = @app", new { app }, cancellationToken: ct));
    }

    private static BuildRecord ToRecord(BuildRow r) =>
        new(r.id, r.app, r.@ref, r.sha, r.environment, r.state, r.version, r.message, r.requested_by, r.trigger, At(r.created_at),
            At(r.started_at), At(r.finished_at), r.deploy_id, r.reason, r.host);
}
