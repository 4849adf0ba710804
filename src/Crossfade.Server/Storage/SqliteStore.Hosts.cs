using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task<(bool Existed, int TokensRevoked)> RemoveHostAsync(string name, CancellationToken ct)
    {
        await using var c = Open();
        await using var tx = await c.BeginTransactionAsync(ct);
        // The agent's own token and any enrollment token made for this host go with it, in one step.
        var revoked = await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM tokens WHERE name = @name AND (role = 'agent' OR role = 'enroll' AND name <> 'enroll')", new { name }, tx, cancellationToken: ct));
        var existed = await c.ExecuteAsync(new CommandDefinition("DELETE FROM hosts WHERE name = @name", new { name }, tx, cancellationToken: ct)) == 1;
        await tx.CommitAsync(ct);
        return (existed, revoked);
    }
}
