using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    private const string OutboxColumns = "id, target_key, target, app, environment, notice, payload, deploy_id, state, attempts, next_at, last_error, created_at, sent_at";

    public async Task EnqueueNoticesAsync(IReadOnlyList<OutboxRecord> notices, CancellationToken ct)
    {
        if (notices.Count == 0)
            return;
        await using var c = Open();
        await using var tx = c.BeginTransaction(deferred: false);
        foreach (var n in notices)
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO outbox (target_key, target, app, environment, notice, payload, deploy_id, state, attempts, next_at, created_at)
                VALUES (@TargetKey, @Target, @App, @Environment, @Notice, @Payload, @DeployId, @State, 0, @NextAt, @CreatedAt)
                """,
                new { n.TargetKey, n.Target, n.App, n.Environment, n.Notice, n.Payload, n.DeployId, State = OutboxStates.Pending, NextAt = Ms(n.NextAt), CreatedAt = Ms(n.CreatedAt) },
                tx, cancellationToken: ct));
        tx.Commit();
    }

    public async Task<IReadOnlyList<OutboxRecord>> ListDueNoticesAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<OutboxRow>(new CommandDefinition(
            $"""
            SELECT {OutboxColumns} FROM outbox AS o WHERE state = @pending AND next_at <= @now
              AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.target_key = o.target_key AND e.state = @pending AND e.id < o.id)
            ORDER BY id LIMIT @limit
            """,
            new { pending = OutboxStates.Pending, now = Ms(now), limit }, cancellationToken: ct));
        return rows.Select(ToRecord).ToList();
    }

    public async Task UpdateNoticeAsync(long id, string state, int attempts, DateTimeOffset nextAt, string? lastError, DateTimeOffset? sentAt, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET state = @state, attempts = @attempts, next_at = @nextAt, last_error = @lastError, sent_at = @sentAt WHERE id = @id",
            new { id, state, attempts, nextAt = Ms(nextAt), lastError, sentAt = sentAt is { } s ? Ms(s) : (long?)null }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<OutboxRecord>> ListNoticesAsync(string? app, int limit, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<OutboxRow>(new CommandDefinition(
            $"SELECT {OutboxColumns} FROM outbox WHERE @app IS NULL OR app = @app ORDER BY id DESC LIMIT @limit",
            new { app, limit = Math.Clamp(limit, 1, 1000) }, cancellationToken: ct));
        return rows.Select(ToRecord).ToList();
    }

    public async Task<(string Channel, string Ts)?> GetChatMessageAsync(string targetKey, long deployId, CancellationToken ct)
    {
        await using var c = Open();
        return await c.QuerySingleOrDefaultAsync<(string, string)?>(new CommandDefinition(
            "SELECT channel, ts FROM chat_messages WHERE target_key = @targetKey AND deploy_id = @deployId", new { targetKey, deployId }, cancellationToken: ct));
    }

    public async Task SetChatMessageAsync(string targetKey, long deployId, string channel, string ts, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT OR REPLACE INTO chat_messages (target_key, deploy_id, channel, ts) VALUES (@targetKey, @deployId, @channel, @ts)",
            new { targetKey, deployId, channel, ts }, cancellationToken: ct));
    }

    private static OutboxRecord ToRecord(OutboxRow r) =>
        new(r.id, r.target_key, r.target, r.app, r.environment, r.notice, r.payload, r.deploy_id, r.state, (int)r.attempts, At(r.next_at), r.last_error,
            At(r.created_at), At(r.sent_at));
}
