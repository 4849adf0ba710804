using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    /// <summary>The states of a deploy that has not ended, as an SQL list: every state the transitions do not call terminal.</summary>
    private static readonly string ActiveStates =
        $"({string.Join(',', Enum.GetValues<DeployState>().Where(s => !DeployTransitions.IsTerminal(s)).Select(s => $"'{WireNames.Of(s)}'"))})";

    public async Task<(DeployRecord Deploy, bool Created)> CreateDeployAsync(DeployRecord draft, string? idempotencyKey, bool queue, CancellationToken ct)
    {
        await using var c = Open();
        // BEGIN IMMEDIATE takes the write lock first, so two requests cannot both see "no active deploy".
        await c.ExecuteAsync("BEGIN IMMEDIATE");
        try
        {
            if (idempotencyKey is not null)
            {
                var same = await c.QuerySingleOrDefaultAsync<DeployRow>(
                    "SELECT * FROM deploys WHERE idempotency_key = @idempotencyKey", new { idempotencyKey });
                if (same is not null)
                {
                    await c.ExecuteAsync("COMMIT");
                    return (ToRecord(same), false);
                }
            }
            var active = await c.QuerySingleOrDefaultAsync<DeployRow>(
                $"SELECT * FROM deploys WHERE app = @App AND environment = @Environment AND state IN {ActiveStates} ORDER BY id LIMIT 1",
                new { draft.App, draft.Environment });
            if (active is not null && !queue)
            {
                await c.ExecuteAsync("COMMIT");
                return (ToRecord(active), false);
            }
            var id = await c.ExecuteScalarAsync<long>(
                """
                INSERT INTO deploys (app, environment, kind, version, from_version, state, requested_by, trigger, created_at, idempotency_key, canary, canary_hold, config)
                VALUES (@App, @Environment, @Kind, @Version, @FromVersion, @State, @RequestedBy, @Trigger, @CreatedAt, @idempotencyKey, @Canary, @CanaryHoldSeconds, @ConfigJson);
                SELECT last_insert_rowid();
                """,
                new { draft.App, draft.Environment, Kind = WireNames.Of(draft.Kind), draft.Version, draft.FromVersion, State = WireNames.Of(draft.State), draft.RequestedBy, draft.Trigger, CreatedAt = Ms(draft.CreatedAt), idempotencyKey, draft.Canary, draft.CanaryHoldSeconds, draft.ConfigJson });
            await c.ExecuteAsync("COMMIT");
            return (draft with { Id = id }, true);
        }
        catch
        {
            await c.ExecuteAsync("ROLLBACK");
            throw;
        }
    }

    public async Task<bool> ClaimDeployAsync(long id, string owner, DateTimeOffset now, TimeSpan expiry, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE deploys SET owner = @owner, heartbeat_at = @now
            WHERE id = @id AND state IN {ActiveStates}
              AND (owner IS NULL OR owner = @owner OR heartbeat_at IS NULL OR heartbeat_at < @stale)
            """,
            new { id, owner, now = Ms(now), stale = Ms(now - expiry) }, cancellationToken: ct)) == 1;
    }

    public async Task<DeployRecord?> DeployAheadAsync(DeployRecord deploy, CancellationToken ct)
    {
        await using var c = Open();
        var row = await c.QuerySingleOrDefaultAsync<DeployRow>(new CommandDefinition(
            $"SELECT * FROM deploys WHERE app = @App AND environment = @Environment AND state IN {ActiveStates} AND id < @Id ORDER BY id LIMIT 1",
            new { deploy.App, deploy.Environment, deploy.Id }, cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    public async Task<DeployRecord?> GetDeployAsync(long id, CancellationToken ct)
    {
        await using var c = Open();
        var row = await c.QuerySingleOrDefaultAsync<DeployRow>(new CommandDefinition("SELECT * FROM deploys WHERE id = @id", new { id }, cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    public async Task<IReadOnlyList<DeployRecord>> ListDeploysAsync(string app, int limit, CancellationToken ct, string? environment = null)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<DeployRow>(new CommandDefinition(
            "SELECT * FROM deploys WHERE app = @app AND (@environment IS NULL OR environment = @environment) ORDER BY id DESC LIMIT @limit",
            new { app, limit, environment }, cancellationToken: ct));
        return rows.Select(ToRecord).ToList();
    }

    public async Task<IReadOnlyList<DeployRecord>> ListUnfinishedDeploysAsync(CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<DeployRow>(new CommandDefinition(
            $"SELECT * FROM deploys WHERE state IN {ActiveStates} ORDER BY id", cancellationToken: ct));
        return rows.Select(ToRecord).ToList();
    }

    public async Task SetDeployVersionsAsync(long id, string version, string? fromVersion, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE deploys SET version = @version, from_version = @fromVersion WHERE id = @id", new { id, version, fromVersion }, cancellationToken: ct));
    }

    public async Task SetDeployStateAsync(long id, DeployState state, string? reason, DateTimeOffset at, bool finished, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE deploys SET state = @state, reason = COALESCE(@reason, reason), finished_at = CASE WHEN @finished THEN @at ELSE finished_at END WHERE id = @id",
            new { id, state = WireNames.Of(state), reason, finished, at = Ms(at) }, cancellationToken: ct));
    }

    public async Task StartPhaseAsync(long deployId, DeployState phase, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO deploy_phases (deploy_id, name, started_at) VALUES (@deployId, @name, @at) ON CONFLICT DO NOTHING",
            new { deployId, name = WireNames.Of(phase), at = Ms(at) }, cancellationToken: ct));
    }

    public async Task EndPhaseAsync(long deployId, DeployState phase, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE deploy_phases SET ended_at = @at WHERE deploy_id = @deployId AND name = @name AND ended_at IS NULL",
            new { deployId, name = WireNames.Of(phase), at = Ms(at) }, cancellationToken: ct));
    }

    public Task<IReadOnlyList<PhaseRecord>> ListPhasesAsync(long deployId, CancellationToken ct) => ListPhasesAsync([deployId], ct);

    public async Task<IReadOnlyList<PhaseRecord>> ListPhasesAsync(IReadOnlyCollection<long> deployIds, CancellationToken ct)
    {
        if (deployIds.Count == 0)
            return [];
        await using var c = Open();
        var rows = await c.QueryAsync<(long deploy_id, string name, long started_at, long? ended_at)>(new CommandDefinition(
            "SELECT deploy_id, name, started_at, ended_at FROM deploy_phases WHERE deploy_id IN @deployIds ORDER BY deploy_id, started_at, rowid",
            new { deployIds }, cancellationToken: ct));
        return rows.Select(r => new PhaseRecord(r.deploy_id, WireNames.Parse<DeployState>(r.name), At(r.started_at), At(r.ended_at))).ToList();
    }

    public async Task<string?> GetLiveVersionAsync(string app, string environment, CancellationToken ct) =>
        (await ListLiveVersionsAsync(app, environment, 1, ct)).FirstOrDefault();

    public async Task<IReadOnlyList<string>> ListPastLiveVersionsAsync(string app, string environment, CancellationToken ct) =>
        (await ListLiveVersionsAsync(app, environment, 50, ct)).Skip(1).ToList();

    private async Task<IReadOnlyList<string>> ListLiveVersionsAsync(string app, string environment, int limit, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<string>(new CommandDefinition(
            "SELECT version FROM live_versions WHERE app = @app AND environment = @environment ORDER BY deploy_id DESC LIMIT @limit",
            new { app, environment, limit }, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task SetLiveVersionAsync(string app, string environment, string version, long deployId, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO live_versions (app, environment, version, deploy_id) VALUES (@app, @environment, @version, @deployId) ON CONFLICT DO NOTHING",
            new { app, environment, version, deployId }, cancellationToken: ct));
    }

    private static DeployRecord ToRecord(DeployRow r) =>
        new(r.id, r.app, r.environment, WireNames.Parse<DeployKind>(r.kind), r.version, r.from_version, WireNames.Parse<DeployState>(r.state), r.requested_by, r.trigger,
            At(r.created_at), At(r.finished_at), r.reason, r.owner, r.canary, (int?)r.canary_hold, r.config);

    public async Task<long?> GetLiveDeployIdAsync(string app, string environment, CancellationToken ct, string? version = null)
    {
        await using var c = Open();
        return await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT deploy_id FROM live_versions WHERE app = @app AND environment = @environment AND (@version IS NULL OR version = @version) ORDER BY deploy_id DESC LIMIT 1",
            new { app, environment, version }, cancellationToken: ct));
    }

    public async Task SetDeployConfigAsync(long id, string configJson, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition("UPDATE deploys SET config = @configJson WHERE id = @id", new { id, configJson }, cancellationToken: ct));
    }

    public async Task<bool> AddDeployRequestAsync(long deployId, DeployRequestKind kind, DeployState phase, string requestedBy, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = Open();
        // One statement: the hold cannot close between the check and the insert.
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO deploy_requests (deploy_id, kind, requested_by, at)
            SELECT @deployId, @kind, @requestedBy, @at
            WHERE NOT EXISTS (SELECT 1 FROM deploy_requests WHERE deploy_id = @deployId AND kind = @closed)
            """,
            new { deployId, kind = KindOf(kind), requestedBy, at = Ms(at), closed = ClosedKind(phase) }, cancellationToken: ct));
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM deploy_requests WHERE deploy_id = @deployId AND kind = @kind", new { deployId, kind = KindOf(kind) }, cancellationToken: ct)) > 0;
    }

    public async Task CloseHoldAsync(long deployId, DeployState phase, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO deploy_requests (deploy_id, kind, requested_by, at) VALUES (@deployId, @closed, 'crossfade', @at)",
            new { deployId, closed = ClosedKind(phase), at = Ms(at) }, cancellationToken: ct));
    }

    private static string ClosedKind(DeployState phase) => "closed:" + WireNames.Of(phase);

    private static string KindOf(DeployRequestKind kind) => kind.ToString().ToLowerInvariant();

    public async Task<IReadOnlyDictionary<DeployRequestKind, string>> ListDeployRequestsAsync(long deployId, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(string Kind, string RequestedBy)>(new CommandDefinition(
            "SELECT kind, requested_by FROM deploy_requests WHERE deploy_id = @deployId", new { deployId }, cancellationToken: ct));
        // The marks of closed holds are rows of the same table; only the requests are answered.
        return rows.Where(r => !r.Kind.StartsWith("closed:", StringComparison.Ordinal))
            .ToDictionary(r => WireNames.Parse<DeployRequestKind>(r.Kind), r => r.RequestedBy);
    }
}
