using Crossfade.Contracts.V1;
using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task<long> AddScheduleAsync(ScheduleRecord s, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO schedules (app, environment, version, canary, canary_hold, run_at, quiet, requested_by, role, created_at, state, deploy_id, reason)
            VALUES (@App, @Environment, @Version, @Canary, @CanaryHoldSeconds, @RunAt, @Quiet, @RequestedBy, @Role, @CreatedAt, @State, @DeployId, @Reason);
            SELECT last_insert_rowid();
            """,
            new
            {
                s.App, s.Environment, s.Version, s.Canary, s.CanaryHoldSeconds, RunAt = Ms(s.RunAt), s.Quiet, s.RequestedBy, s.Role,
                CreatedAt = Ms(s.CreatedAt), s.State, s.DeployId, s.Reason,
            }, cancellationToken: ct));
    }

    public Task<IReadOnlyList<ScheduleRecord>> ListSchedulesAsync(string? app, bool openOnly, CancellationToken ct) =>
        QuerySchedulesAsync("(@app IS NULL OR app = @app) AND (NOT @openOnly OR state IN @open) ORDER BY run_at, id LIMIT 1000",
            new { app, openOnly, open = ScheduleStates.Open }, ct);

    public async Task<ScheduleRecord?> GetScheduleAsync(long id, CancellationToken ct) =>
        (await QuerySchedulesAsync("id = @id", new { id }, ct)).SingleOrDefault();

    public Task<IReadOnlyList<ScheduleRecord>> ListDueSchedulesAsync(DateTimeOffset now, CancellationToken ct) =>
        QuerySchedulesAsync("state IN @due AND run_at <= @now ORDER BY run_at, id LIMIT 100",
            new { due = new[] { ScheduleStates.Pending, ScheduleStates.Waiting }, now = Ms(now) }, ct);

    private async Task<IReadOnlyList<ScheduleRecord>> QuerySchedulesAsync(string where, object args, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(long id, string app, string environment, string version, string? canary, long? canary_hold, long run_at, long quiet,
            string requested_by, string role, long created_at, string state, long? deploy_id, string? reason)>(new CommandDefinition(
            "SELECT id, app, environment, version, canary, canary_hold, run_at, quiet, requested_by, role, created_at, state, deploy_id, reason FROM schedules WHERE " + where,
            args, cancellationToken: ct));
        return rows.Select(r => new ScheduleRecord(r.id, r.app, r.environment, r.version, r.canary, (int?)r.canary_hold, At(r.run_at), r.quiet != 0,
            r.requested_by, r.role, At(r.created_at), r.state, r.deploy_id, r.reason)).ToList();
    }

    public async Task<bool> MoveScheduleAsync(long id, IReadOnlyList<string> from, string state, DateTimeOffset runAt, long? deployId, string? reason, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE schedules SET state = @state, run_at = @runAt, deploy_id = COALESCE(@deployId, deploy_id), reason = @reason WHERE id = @id AND state IN @from",
            new { id, from, state, runAt = Ms(runAt), deployId, reason }, cancellationToken: ct)) == 1;
    }
}
