using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task<HostRemoval> RemoveHostAsync(string name, CancellationToken ct)
    {
        await using var c = Open();
        // Immediate: no deploy can give the host a step between the check and the removal.
        await using var tx = await c.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
        var busy = (await c.QueryAsync<long>(new CommandDefinition(
            $"SELECT DISTINCT s.deploy_id FROM steps s JOIN deploys d ON d.id = s.deploy_id WHERE s.host = @name AND d.state IN {ActiveStates} ORDER BY s.deploy_id",
            new { name }, tx, cancellationToken: ct))).ToList();
        if (busy.Count > 0)
            return new HostRemoval(false, 0, busy);
        // The agent's own token and any enrollment token made for this host go with it, in one step.
        var revoked = await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM tokens WHERE name = @name AND (role = 'agent' OR role = 'enroll' AND name <> 'enroll')", new { name }, tx, cancellationToken: ct));
        var existed = await c.ExecuteAsync(new CommandDefinition("DELETE FROM hosts WHERE name = @name", new { name }, tx, cancellationToken: ct)) == 1;
        await tx.CommitAsync(ct);
        return new HostRemoval(existed, revoked, []);
    }
}
