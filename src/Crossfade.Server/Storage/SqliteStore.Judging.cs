using Crossfade.Contracts.V1;
using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task AddVerdictAsync(VerdictRecord v, CancellationToken ct)
    {
        await using var c = Open();
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO judge_verdicts (deploy_id, at, phase, outcome, action, final, summary, candidate_requests, baseline_requests, checks, enforced)
            VALUES (@DeployId, @At, @Phase, @Outcome, @Action, @Final, @Summary, @CandidateRequests, @BaselineRequests, @ChecksJson, @Enforced)
            """,
            new
            {
                v.DeployId, At = Ms(v.At), Phase = WireNames.Of(v.Phase), Outcome = WireNames.Of(v.Outcome), v.Action, Final = v.Final ? 1 : 0,
                v.Summary, v.CandidateRequests, v.BaselineRequests, v.ChecksJson, Enforced = v.Enforced ? 1 : 0,
            }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<VerdictRecord>> ListVerdictsAsync(long deployId, CancellationToken ct)
    {
        await using var c = Open();
        return (await c.QueryAsync<VerdictRow>(new CommandDefinition(
            $"{SelectVerdicts} WHERE deploy_id = @deployId ORDER BY id", new { deployId }, cancellationToken: ct))).Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<VerdictRecord>> ListFinalVerdictsAsync(string app, string environment, int limit, CancellationToken ct)
    {
        await using var c = Open();
        return (await c.QueryAsync<VerdictRow>(new CommandDefinition(
            $"""
            {SelectVerdicts} WHERE final = 1 AND deploy_id IN (SELECT id FROM deploys WHERE app = @app AND environment = @environment)
            ORDER BY id DESC LIMIT @limit
            """, new { app, environment, limit = Math.Clamp(limit, 1, 1000) }, cancellationToken: ct))).Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<JudgedRequest>> ListJudgedRequestsAsync(
        string app, string environment, IReadOnlyList<string> releases, DateTimeOffset since, DateTimeOffset until, long afterId, CancellationToken ct)
    {
        await using var c = Open();
        // A first read goes by the (app, environment, at) index; a later one by id from the last row read
        // ("+app" keeps SQLite off that index), so a look reads only what arrived since the last. One
        // writer at a time makes ids grow in commit order: a row stored later never has a smaller id.
        var rows = await c.QueryAsync<JudgedRequest>(new CommandDefinition(
            $"""
            SELECT id AS Id, at AS At, release AS Release, route AS Route, status AS Status, ms AS Ms FROM access_records
            WHERE {(afterId > 0 ? "+app" : "app")} = @app AND environment = @environment AND release IN @releases AND at >= @since AND at < @until
              AND bot = 0 AND id > @afterId
            """,
            new { app, environment, releases, since = Ms(since), until = Ms(until), afterId }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<string>> ListErrorLinesAsync(string app, string environment, string file, DateTimeOffset since, int limit, CancellationToken ct, bool newestFirst = false)
    {
        await using var c = Open();
        var rows = await c.QueryAsync<string>(new CommandDefinition(
            $"""
            SELECT text FROM log_lines
            WHERE app = @app AND environment = @environment AND at >= @since AND file = @file AND level = 'error' ORDER BY id {(newestFirst ? "DESC" : "")} LIMIT @limit
            """,
            new { app, environment, file, since = Ms(since), limit }, cancellationToken: ct));
        return rows.AsList();
    }

    private const string SelectVerdicts =
        """
        SELECT id AS Id, deploy_id AS DeployId, at AS At, phase AS Phase, outcome AS Outcome, action AS Action, final AS Final, summary AS Summary,
               candidate_requests AS CandidateRequests, baseline_requests AS BaselineRequests, checks AS ChecksJson, enforced AS Enforced
        FROM judge_verdicts
        """;

    private sealed record VerdictRow(long Id, long DeployId, long At, string Phase, string Outcome, string Action, long Final, string Summary,
        long CandidateRequests, long BaselineRequests, string ChecksJson, long Enforced)
    {
        public VerdictRecord ToRecord() => new(Id, DeployId, SqliteStore.At(At), WireNames.Parse<DeployState>(Phase), WireNames.Parse<JudgeOutcome>(Outcome),
            Action, Final != 0, Summary, CandidateRequests, BaselineRequests, ChecksJson, Enforced != 0);
    }
}
