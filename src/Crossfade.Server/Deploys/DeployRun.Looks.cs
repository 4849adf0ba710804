using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Core.Judging;
using Crossfade.Server.Judging;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

// The judge's looks at a window (a judged window, a bake window), and its verdicts on record.
public sealed partial class DeployRun
{
    /// <summary>How a window ended: a verdict, or a person's promote or rollback (with the last look's verdict).</summary>
    /// <remarks>
    /// <paramref name="Stored"/>: the verdict is on record already (given before a restart).
    /// <paramref name="Held"/>: it came after the window ran out and held for a person.
    /// </remarks>
    private sealed record WindowEnd(
        JudgeOutcome Outcome, string Summary, JudgeVerdict? Verdict, string? RollbackBy = null, string? PromotedBy = null, bool Stored = false, bool Held = false);

    /// <summary>
    /// Looks at the window every few seconds until a verdict decides it (<paramref name="untilDecided"/>;
    /// otherwise only a fail ends it early), a person promotes or rolls back, or <paramref name="until"/>.
    /// Every candidate in <paramref name="webs"/> is checked again every few seconds: one that stopped
    /// running or fails a critical path fails the window. A change of outcome is stored as it happens.
    /// The hold is left open: what the caller does next decides whether a request is still taken.
    /// </summary>
    private async Task<WindowEnd> WatchAsync(JudgeWindow window, IReadOnlyList<PlannedStep> webs, DeployState phase, DateTimeOffset until, bool untilDecided)
    {
        var ct = CancellationToken.None;
        var said = (await _s.Store.ListVerdictsAsync(_deploy.Id, ct)).LastOrDefault(v => v.Phase == phase)?.Outcome;
        var checkedLook = -1;
        var last = new WindowEnd(JudgeOutcome.Insufficient, "no look yet", null);
        while (true)
        {
            var requests = await _s.Store.ListDeployRequestsAsync(_deploy.Id, ct);
            if (requests.TryGetValue(DeployRequestKind.Rollback, out var by))
                return last with { RollbackBy = by };
            if (phase == DeployState.Judging && requests.TryGetValue(DeployRequestKind.Promote, out var promoter))
                return last with { PromotedBy = promoter };
            var now = _s.Time.GetUtcNow();
            var problems = new List<InstanceProblem>();
            var look = CheckRound(now - window.Start, TimeSpan.FromSeconds(window.Spec.MaxSeconds));
            if (look != checkedLook && webs.Count > 0)
            {
                checkedLook = look;
                problems = await CheckAgainAsync(webs, look);
                now = _s.Time.GetUtcNow();
            }
            var verdict = JudgeLook.Decide(await _s.Judge.ReadAsync(window, now, problems, ct), window.Spec);
            var outcome = JudgeViews.Of(verdict.Outcome);
            last = new WindowEnd(outcome, verdict.Summary, verdict);
            if (outcome == JudgeOutcome.Fail || (untilDecided && outcome == JudgeOutcome.Pass) || now >= until)
                return last;
            if (outcome != said)
            {
                await RecordAsync(phase, last, "watching", final: false);
                said = outcome;
            }
            // The time read again: the look took a while, and the window may have ended meanwhile.
            var left = until - _s.Time.GetUtcNow();
            await _s.Signals.WaitForDeployAsync(_deploy.Id, left < _s.Options.JudgeLookEvery ? left : _s.Options.JudgeLookEvery, ct);
        }
    }

    /// <summary>
    /// Which round of checks a moment of the window belongs to: one every few seconds while the window
    /// runs, one a minute while it holds past its end for a person.
    /// </summary>
    private int CheckRound(TimeSpan elapsed, TimeSpan max)
    {
        var running = (int)((elapsed < max ? elapsed : max) / _s.Options.JudgeCheckEvery);
        return elapsed <= max ? running : running + 1 + (int)((elapsed - max) / _s.Options.JudgeHeldCheckEvery);
    }

    /// <summary>
    /// Checks every web host's instance of the release again (still running, its GET critical paths
    /// passing); what failed, per host. A host that did not answer in time says nothing about its
    /// candidate — its agent may be busy or reconnecting — so it is not counted against the release.
    /// </summary>
    private async Task<List<InstanceProblem>> CheckAgainAsync(IReadOnlyList<PlannedStep> webs, int look)
    {
        var results = await RunStepsAsync(webs, _release, StepKind.Check, look: look, timeout: _s.Options.JudgeCheckTimeout);
        return results.Where(r => !r.Result.Succeeded && !r.Result.Message.StartsWith(CheckMessages.NoAnswer, StringComparison.Ordinal))
            .Select(r => new InstanceProblem(r.Step.Host, r.Result.Message.StartsWith(CheckMessages.NotRunning, StringComparison.Ordinal), r.Result.Message))
            .ToList();
    }

    /// <summary>Stores a verdict and, when it ends a window, tells it on the timeline.</summary>
    private async Task RecordAsync(DeployState phase, WindowEnd end, string action, bool final = true)
    {
        if (end.Stored && !end.Held && end.RollbackBy is null && end.PromotedBy is null)
            return;
        var checks = end.Verdict?.Checks.Select(JudgeViews.Of).ToList() ?? [];
        var enforced = _spec.Judging.Mode == Core.Specs.JudgeMode.Enforce;
        await _s.Store.AddVerdictAsync(new VerdictRecord(0, _deploy.Id, _s.Time.GetUtcNow(), phase, end.Outcome, action, final, end.Summary,
            end.Verdict?.CandidateRequests ?? 0, end.Verdict?.BaselineRequests ?? 0, JudgeViews.ChecksJson(checks), enforced), CancellationToken.None);
        // Only what ends a window reaches the timeline; the looks before it are on record.
        if (final)
            await _s.Events.JudgedAsync(_deploy, phase, end.Outcome, action, final, end.Summary, checks);
    }
}
