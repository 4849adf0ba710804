using Crossfade.Contracts.V1;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Crossfade.Server.Storage;

/// <summary>The embedded store: one SQLite file in WAL mode, schema migrated at start.</summary>
public sealed partial class SqliteStore : IStore
{
    private readonly string _connectionString;

    public SqliteStore(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        Migrate();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        connection.Execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;");
        return connection;
    }

    private void Migrate()
    {
        using var connection = OpenWithHistograms();
        connection.Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
        var version = connection.ExecuteScalar<long>("PRAGMA user_version");
        for (var i = (int)version; i < SqliteSchema.Migrations.Length; i++)
        {
            using var tx = connection.BeginTransaction();
            connection.Execute(SqliteSchema.Migrations[i], transaction: tx);
            connection.Execute($"PRAGMA user_version = {i + 1}", transaction: tx);
            tx.Commit();
        }
    }

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? At(long? ms) => ms is { } v ? At(v) : null;

    public async Task UpsertAppAsync(AppRecord app, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO apps (name, spec, updated_at) VALUES (@Name, @SpecYaml, @At) ON CONFLICT(name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
            new { app.Name, app.SpecYaml, At = Ms(app.UpdatedAt) }, cancellationToken: ct));
    }

    public async Task<AppRecord?> GetAppAsync(string name, CancellationToken ct)
    {
        await using var c = Open();
        var row = await c.QuerySingleOrDefaultAsync<(string name, string spec, long updated_at)?>(new CommandDefinition(
            "SELECT name, spec, updated_at FROM apps WHERE name = @name", new { name }, cancellationToken: ct));
        return row is { } r ? new AppRecord(r.name, r.spec, At(r.updated_at)) : null;
    }

    public async Task<IReadOnlyList<AppRecord>> ListAppsAsync(CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(string name, string spec, long updated_at)>(new CommandDefinition(
            "SELECT name, spec, updated_at FROM apps ORDER BY name", cancellationToken: ct));
        return rows.Select(r => new AppRecord(r.name, r.spec, At(r.updated_at))).ToList();
    }

    public async Task<bool> AddReleaseAsync(ReleaseRecord release, CancellationToken ct)
    {
        await using var c = Open();
        var inserted = await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO releases (app, version, sha256, size_bytes, commit_sha, message, created_by, created_at)
            VALUES (@App, @Version, @Sha256, @SizeBytes, @Commit, @Message, @CreatedBy, @At) ON CONFLICT DO NOTHING
            """,
            new { release.App, release.Version, release.Sha256, release.SizeBytes, release.Commit, release.Message, release.CreatedBy, At = Ms(release.CreatedAt) },
            cancellationToken: ct));
        return inserted == 1;
    }

    public async Task<ReleaseRecord?> GetReleaseAsync(string app, string version, CancellationToken ct)
    {
        await using var c = Open();
        var row = await c.QuerySingleOrDefaultAsync<ReleaseRow>(new CommandDefinition(
            "SELECT * FROM releases WHERE app = @app AND version = @version", new { app, version }, cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    public async Task<IReadOnlyList<ReleaseRecord>> ListReleasesAsync(string app, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<ReleaseRow>(new CommandDefinition(
            "SELECT * FROM releases WHERE app = @app ORDER BY created_at DESC", new { app }, cancellationToken: ct));
        return rows.Select(ToRecord).ToList();
    }

    public async Task<bool> ArtifactReferencedAsync(string sha256, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM releases WHERE sha256 = @sha256", new { sha256 }, cancellationToken: ct)) > 0;
    }

    private static ReleaseRecord ToRecord(ReleaseRow r) =>
        new(r.app, r.version, r.sha256, r.size_bytes, r.commit_sha, r.message, r.created_by, At(r.created_at));

    public async Task AddTokenAsync(TokenRecord token, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO tokens (hash, name, role, created_at) VALUES (@Hash, @Name, @Role, @At) ON CONFLICT(hash) DO NOTHING",
            new { token.Hash, token.Name, token.Role, At = Ms(token.CreatedAt) }, cancellationToken: ct));
    }

    public async Task<TokenRecord?> FindTokenAsync(string hash, CancellationToken ct)
    {
        await using var c = Open();
        var row = await c.QuerySingleOrDefaultAsync<(string hash, string name, string role, long created_at)?>(new CommandDefinition(
            "SELECT hash, name, role, created_at FROM tokens WHERE hash = @hash", new { hash }, cancellationToken: ct));
        return row is { } r ? new TokenRecord(r.hash, r.name, r.role, At(r.created_at)) : null;
    }

    public async Task<bool> DeleteTokenAsync(string hash, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteAsync(new CommandDefinition("DELETE FROM tokens WHERE hash = @hash", new { hash }, cancellationToken: ct)) == 1;
    }

    public async Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<(string hash, string name, string role, long created_at)>(new CommandDefinition(
            "SELECT hash, name, role, created_at FROM tokens ORDER BY created_at, name", cancellationToken: ct));
        return rows.Select(r => new TokenRecord(r.hash, r.name, r.role, At(r.created_at))).ToList();
    }

    public async Task UpsertHostAsync(string name, IReadOnlyList<string> roles, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO hosts (name, roles, enrolled_at, last_seen) VALUES (@name, @roles, @at, @at)
            ON CONFLICT(name) DO UPDATE SET roles = excluded.roles, enrolled_at = excluded.enrolled_at, last_seen = excluded.last_seen
            """,
            new { name, roles = string.Join(',', roles), at = Ms(at) }, cancellationToken: ct));
    }

    public async Task TouchHostAsync(string name, string liveReleasesJson, DateTimeOffset at, CancellationToken ct, string? instancesJson = null, string? agentVersion = null)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE hosts SET last_seen = @at, live_releases = @liveReleasesJson, instances = COALESCE(@instancesJson, instances), agent_version = COALESCE(@agentVersion, agent_version) WHERE name = @name",
            new { name, liveReleasesJson, instancesJson, agentVersion, at = Ms(at) }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<HostRecord>> ListHostsAsync(CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<HostRow>(new CommandDefinition("SELECT * FROM hosts ORDER BY name", cancellationToken: ct));
        return rows.Select(r => new HostRecord(
            r.name, r.roles.Split(',', StringSplitOptions.RemoveEmptyEntries), At(r.enrolled_at), At(r.last_seen), r.live_releases, r.instances, r.agent_version,
            r.rid, r.binary_sha256, r.upgrade_wanted != 0)).ToList();
    }
}
