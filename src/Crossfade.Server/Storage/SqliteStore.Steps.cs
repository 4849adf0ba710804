using Crossfade.Contracts.V1;
using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task<long> AddStepAsync(long deployId, string host, StepKind kind, string payloadJson, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO steps (deploy_id, host, kind, payload, status) VALUES (@deployId, @host, @kind, @payloadJson, 'pending'); SELECT last_insert_rowid();",
            new { deployId, host, kind = WireNames.Of(kind), payloadJson }, cancellationToken: ct));
    }

    public async Task<StepRecord?> GetStepAsync(long id, CancellationToken ct)
    {
        await using var c = Open();
        var row = await c.QuerySingleOrDefaultAsync<StepRow>(new CommandDefinition("SELECT * FROM steps WHERE id = @id", new { id }, cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    public Task<IReadOnlyList<StepRecord>> ListStepsAsync(long deployId, CancellationToken ct) => ListStepsAsync([deployId], ct);

    public async Task<IReadOnlyList<StepRecord>> ListStepsAsync(IReadOnlyCollection<long> deployIds, CancellationToken ct)
    {
        if (deployIds.Count == 0)
            return [];
        await using var c = Open();
        var rows = await c.QueryAsync<StepRow>(new CommandDefinition(
            "SELECT * FROM steps WHERE deploy_id IN @deployIds ORDER BY id", new { deployIds }, cancellationToken: ct));
        return rows.Select(ToRecord).ToList();
    }

    public async Task<IReadOnlyList<StepRecord>> GetStepsAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
            return [];
        await using var c = Open();
        var rows = await c.QueryAsync<StepRow>(new CommandDefinition(
            "SELECT id, deploy_id, host, kind, '' AS payload, status, started_at, ended_at, message, report FROM steps WHERE id IN @ids ORDER BY id",
            new { ids }, cancellationToken: ct));
        return rows.Select(ToRecord).ToList();
    }

    public async Task<StepRecord?> TakeNextStepAsync(string host, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = Open();
        var row = await c.QuerySingleOrDefaultAsync<StepRow>(new CommandDefinition(
            """
            UPDATE steps SET status = 'running', started_at = @at
            WHERE id = (SELECT id FROM steps WHERE host = @host AND status = 'pending' ORDER BY id LIMIT 1)
            RETURNING *
            """,
            new { host, at = Ms(at) }, cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    public async Task<int> RequeueOrphanedStepsAsync(string host, CancellationToken ct)
    {
        await using var c = Open();
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE steps SET status = 'pending' WHERE host = @host AND status = 'running'", new { host }, cancellationToken: ct));
    }

    public async Task FinishStepAsync(long id, bool succeeded, string message, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE steps SET status = @status, message = @message, ended_at = @at, started_at = COALESCE(started_at, @at) WHERE id = @id AND status IN ('pending','running')",
            new { id, status = WireNames.Of(succeeded ? StepStatus.Succeeded : StepStatus.Failed), message, at = Ms(at) }, cancellationToken: ct));
    }

    public async Task AppendStepLogAsync(long stepId, IReadOnlyList<StepLogLine> lines, CancellationToken ct)
    {
        await using var c = Open();
        await using var tx = await c.BeginTransactionAsync(ct);
        foreach (var line in lines)
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO step_logs (step_id, at, line) VALUES (@stepId, @at, @line)",
                new { stepId, at = Ms(line.At), line = line.Line }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<(long StepId, long Seq, StepLogLine Line)>> ReadStepLogAsync(long deployId, string? host, long afterSeq, CancellationToken ct)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<LogRow>(new CommandDefinition(
            """
            SELECT l.seq, l.step_id, l.at, l.line FROM step_logs l JOIN steps s ON s.id = l.step_id
            WHERE s.deploy_id = @deployId AND (@host IS NULL OR s.host = @host) AND l.seq > @afterSeq
            ORDER BY l.seq LIMIT 5000
            """,
            new { deployId, host, afterSeq }, cancellationToken: ct));
        return rows.Select(r => (r.step_id, r.seq, new StepLogLine(At(r.at), r.line))).ToList();
    }

    private static StepRecord ToRecord(StepRow r) =>
        new(r.id, r.deploy_id, r.host, WireNames.Parse<StepKind>(r.kind), r.payload, WireNames.Parse<StepStatus>(r.status), At(r.started_at), At(r.ended_at), r.message, r.report);

    public async Task SaveStepReportAsync(long id, string reportJson, CancellationToken ct)
    {
        await using var c = Open();
        // Like the result, the first report wins: a late duplicate from a retried delivery changes nothing.
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE steps SET report = @reportJson WHERE id = @id AND report IS NULL", new { id, reportJson }, cancellationToken: ct));
    }
}
