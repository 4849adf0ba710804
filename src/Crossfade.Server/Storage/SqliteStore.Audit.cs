using System.Text;
using System.Text.Json;
using Crossfade.Core.Audit;
using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task<AuditEntry> AppendAuditAsync(AuditEntry draft, CancellationToken ct)
    {
        await using var c = Open();
        // BEGIN IMMEDIATE: the head is read and the next record written under the write lock, so two
        // writers never chain to the same record.
        await using var tx = c.BeginTransaction(deferred: false);
        var head = await c.QuerySingleOrDefaultAsync<(long seq, string hash)?>(new CommandDefinition(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", transaction: tx, cancellationToken: ct));
        var sealedEntry = AuditChain.Seal(draft with { Seq = (head?.seq ?? 0) + 1 }, head?.hash ?? AuditChain.Genesis);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO audit (seq, at, token_id, actor, role, address, user_agent, action, path, app, environment, parameters, status, reason, prev_hash, hash)
            VALUES (@Seq, @At, @TokenId, @Actor, @Role, @Address, @UserAgent, @Action, @Path, @App, @Environment, @Parameters, @Status, @Reason, @PrevHash, @Hash)
            """,
            new
            {
                sealedEntry.Seq, At = Ms(sealedEntry.At), sealedEntry.TokenId, sealedEntry.Actor, sealedEntry.Role, sealedEntry.Address,
                sealedEntry.UserAgent, sealedEntry.Action, sealedEntry.Path, sealedEntry.App, sealedEntry.Environment,
                Parameters = JsonSerializer.Serialize(sealedEntry.Parameters), sealedEntry.Status, sealedEntry.Reason,
                sealedEntry.PrevHash, sealedEntry.Hash,
            }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return sealedEntry;
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery q, CancellationToken ct)
    {
        var sql = new StringBuilder("SELECT * FROM audit WHERE seq > @AfterSeq");
        var args = new DynamicParameters(new { q.AfterSeq, Limit = Math.Clamp(q.Limit, 1, 5000) });
        if (q.Since is { } since)
        {
            sql.Append(" AND at >= @Since");
            args.Add("Since", Ms(since));
        }
        if (q.Until is { } until)
        {
            sql.Append(" AND at <= @Until");
            args.Add("Until", Ms(until));
        }
        if (q.Who is { } who)
        {
            sql.Append(" AND (actor = @Who OR token_id = @Who)");
            args.Add("Who", who);
        }
        if (q.App is { } app)
        {
            sql.Append(" AND app = @App");
            args.Add("App", app);
        }
        sql.Append(q.Newest ? " ORDER BY seq DESC LIMIT @Limit" : " ORDER BY seq LIMIT @Limit");
        await using var c = Open();
        var rows = await c.QueryAsync<AuditRow>(new CommandDefinition(sql.ToString(), args, cancellationToken: ct));
        return rows.Select(r => new AuditEntry(r.seq, At(r.at), r.token_id, r.actor, r.role, r.address, r.user_agent, r.action, r.path,
            r.app, r.environment, JsonSerializer.Deserialize<Dictionary<string, string>>(r.parameters) ?? [], (int)r.status, r.reason,
            r.prev_hash, r.hash)).ToList();
    }
}
