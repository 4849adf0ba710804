using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task UpsertSecretAsync(SecretRecord secret, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO secrets (app, environment, name, ciphertext, updated_at, updated_by) VALUES (@App, @Environment, @Name, @Ciphertext, @At, @UpdatedBy)
            ON CONFLICT (app, environment, name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """,
            new { secret.App, secret.Environment, secret.Name, secret.Ciphertext, At = Ms(secret.UpdatedAt), secret.UpdatedBy }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<SecretRecord>> ListSecretsAsync(string app, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<SecretRow>(new CommandDefinition(
            "SELECT * FROM secrets WHERE app = @app ORDER BY name, environment", new { app }, cancellationToken: ct));
        return rows.Select(r => new SecretRecord(r.app, r.environment, r.name, r.ciphertext, At(r.updated_at), r.updated_by)).ToList();
    }

    public async Task<IReadOnlyList<SecretRecord>> ListAllSecretsAsync(CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<SecretRow>(new CommandDefinition("SELECT * FROM secrets ORDER BY app, name, environment", cancellationToken: ct));
        return rows.Select(r => new SecretRecord(r.app, r.environment, r.name, r.ciphertext, At(r.updated_at), r.updated_by)).ToList();
    }

    public async Task<bool> DeleteSecretAsync(string app, string environment, string name, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM secrets WHERE app = @app AND environment = @environment AND name = @name", new { app, environment, name }, cancellationToken: ct)) > 0;
    }
}
