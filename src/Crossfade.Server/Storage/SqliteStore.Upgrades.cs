using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task<bool> ReportBinaryAsync(string name, string rid, string sha256, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE hosts SET rid = @rid, binary_sha256 = @sha256 WHERE name = @name AND (rid IS NOT @rid OR binary_sha256 IS NOT @sha256)",
            new { name, rid, sha256 }, cancellationToken: ct));
        return await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT upgrade_wanted FROM hosts WHERE name = @name", new { name }, cancellationToken: ct)) != 0;
    }

    public async Task SetUpgradeWantedAsync(string name, bool wanted, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition("UPDATE hosts SET upgrade_wanted = @wanted WHERE name = @name", new { name, wanted = wanted ? 1 : 0 }, cancellationToken: ct));
    }
}
