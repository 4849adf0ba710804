using Crossfade.Contracts.V1;
using Crossfade.Core.Freezes;
using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task<long> AddFreezeAsync(Freeze freeze, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO freezes (app, environment, from_at, to_at, every, zone, reason, created_by, created_at)
            VALUES (@App, @Environment, @From, @To, @Every, @Zone, @Reason, @CreatedBy, @CreatedAt);
            SELECT last_insert_rowid();
            """,
            new
            {
                freeze.App, freeze.Environment, From = freeze.From is { } f ? Ms(f) : (long?)null, To = freeze.To is { } t ? Ms(t) : (long?)null,
                Every = freeze.Every?.ToString(), freeze.Zone, freeze.Reason, freeze.CreatedBy, CreatedAt = Ms(freeze.CreatedAt),
            }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<Freeze>> ListFreezesAsync(string? app, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(long id, string app, string environment, long? from_at, long? to_at, string? every, string? zone, string reason, string created_by, long created_at)>(
            new CommandDefinition("SELECT id, app, environment, from_at, to_at, every, zone, reason, created_by, created_at FROM freezes WHERE @app IS NULL OR app = @app ORDER BY id",
                new { app }, cancellationToken: ct));
        return rows.Select(r => new Freeze(r.id, r.app, r.environment, At(r.from_at), At(r.to_at),
            r.every is null ? null : RecurringWindow.Parse(r.every).Window, r.zone, r.reason, r.created_by, At(r.created_at))).ToList();
    }

    public async Task<Freeze?> DeleteFreezeAsync(long id, CancellationToken ct)
    {
        await using var c = Open();
        var app = await c.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT app FROM freezes WHERE id = @id", new { id }, cancellationToken: ct));
        var freeze = app is null ? null : (await ListFreezesAsync(app, ct)).FirstOrDefault(f => f.Id == id);
        if (freeze is null)
            return null;
        return await c.ExecuteAsync(new CommandDefinition("DELETE FROM freezes WHERE id = @id", new { id }, cancellationToken: ct)) == 1 ? freeze : null;
    }

    public async Task<bool> SucceededInAsync(string app, string environment, string version, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            // The release itself, or another built from the same commit (a tag's build of what main's build proved).
            """
            SELECT COUNT(*) FROM deploys WHERE app = @app AND environment = @environment AND kind = @kind AND state = @state
              AND (version = @version OR version IN (
                SELECT other.version FROM releases AS this JOIN releases AS other ON other.app = this.app AND other.commit_sha = this.commit_sha
                WHERE this.app = @app AND this.version = @version AND this.commit_sha IS NOT NULL))
            """,
            new { app, environment, version, kind = WireNames.Of(DeployKind.Deploy), state = WireNames.Of(DeployState.Succeeded) }, cancellationToken: ct)) > 0;
    }
}
