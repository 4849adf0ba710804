using Crossfade.Contracts.V1;
using Crossfade.Server.Api;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Judging;

/// <summary>
/// GET …/judge-record: what the judge said and did (or, in observe mode, would have done) on an
/// environment's recent deploys, and whether the team rolled each release back by hand later — the
/// evidence a team reads before it lets the judge act.
/// </summary>
public static class JudgeRecordEndpoint
{
    public static async Task<IResult> GetAsync(string app, string environment, int? limit, IStore store, CancellationToken ct)
    {
        if (limit is < 1 or > 500)
            return Problems.BadRequest("'limit' must be 1 to 500");
        if (await store.GetAppAsync(app, ct) is null)
            return Problems.NotFound($"no app '{app}'");
        var verdicts = await store.ListFinalVerdictsAsync(app, environment, (limit ?? 50) * 2, ct);
        var history = await store.ListDeploysAsync(app, 1000, ct, environment);
        var deploys = new List<JudgedDeployView>();
        // A deploy's judged window speaks for it when it had one; otherwise its bake window.
        foreach (var verdict in verdicts.GroupBy(v => v.DeployId).Select(g => g.FirstOrDefault(v => v.Phase == DeployState.Judging) ?? g.First()).Take(limit ?? 50))
        {
            if (history.FirstOrDefault(d => d.Id == verdict.DeployId) is not { } deploy)
                continue;
            deploys.Add(new JudgedDeployView(deploy.Id, deploy.Version, deploy.FromVersion, deploy.State, deploy.CreatedAt,
                verdict.Outcome, verdict.Action, verdict.Enforced, verdict.Summary,
                RolledBackByHand(deploy, history)));
        }
        return Results.Ok(new JudgeRecordView(app, environment, deploys));
    }

    /// <summary>
    /// Whether a person took the release back: a rollback asked for during the deploy, or a later rollback
    /// that left this release (before another deploy replaced it).
    /// </summary>
    private static bool RolledBackByHand(DeployRecord deploy, IReadOnlyList<DeployRecord> history)
    {
        if (deploy.State == DeployState.RolledBack && deploy.Reason is { } reason
            && (reason.StartsWith("rolled back by ", StringComparison.Ordinal) || reason.StartsWith("aborted by ", StringComparison.Ordinal)))
            return true;
        if (deploy.State != DeployState.Succeeded)
            return false;
        var next = history.Where(d => d.Id > deploy.Id && d.State == DeployState.Succeeded).MinBy(d => d.Id);
        return next is { Kind: DeployKind.Rollback } && next.FromVersion == deploy.Version;
    }
}
