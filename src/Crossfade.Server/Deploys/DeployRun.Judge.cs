using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Core.Judging;
using Crossfade.Core.Specs;
using Crossfade.Server.Judging;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

// Judging: a share of every web host's clients on its candidate while the judge compares the two releases.
public sealed partial class DeployRun
{
    /// <summary>
    /// The judged window. Every web host splits its clients at once (the one planned mixed state); the
    /// judge looks every few seconds. In enforce mode a fail ends every split at once and the deploy rolls
    /// back; a pass goes on to the cutover; too few requests by the window's end does what the spec says.
    /// In observe mode the verdict is recorded as what would have been done, and the deploy goes on.
    /// Resumed after a restart, the window goes on from its stored start, and a verdict already final is
    /// acted on as it was given.
    /// </summary>
    private async Task<PhaseOutcome> JudgeAsync()
    {
        if (_plan.Phase(DeployState.Judging) is not { Steps.Count: > 0 } judging || _deploy.FromVersion is null)
            return PhaseOutcome.Next;
        await MoveAsync(DeployState.Judging);
        if (_state != DeployState.Judging)
            return PhaseOutcome.Next;
        var spec = _spec.Judging;
        var split = await RunStepsAsync(judging.Steps, _release, splitPercent: spec.WeightPercent);
        if (FirstFailure(split) is { } failure)
            return PhaseOutcome.RollBack($"{failure}; every host's clients go back to {_deploy.FromVersion}");
        var start = await PhaseStartAsync(DeployState.Judging);
        var window = new JudgeWindow(_deploy.App, _deploy.Environment, _release.Version, _deploy.FromVersion, start, spec);
        await WarnIfQuietAsync(window);
        var end = await FinalVerdictAsync(DeployState.Judging)
            ?? await WatchAsync(window, judging.Steps, DeployState.Judging, start + TimeSpan.FromSeconds(spec.MaxSeconds), untilDecided: true);
        return await ActOnWindowAsync(judging.Steps, spec, end);
    }

    private async Task<PhaseOutcome> ActOnWindowAsync(IReadOnlyList<PlannedStep> webs, JudgeSpec spec, WindowEnd end)
    {
        var holds = spec.Mode == JudgeMode.Enforce && spec.OnInsufficient == InsufficientAction.Hold && end.Outcome == JudgeOutcome.Insufficient
            && end.RollbackBy is null && end.PromotedBy is null;
        if (!holds)
            end = await CloseWindowAsync(DeployState.Judging, end);
        if (end.RollbackBy is { } by)
            return await UnsplitThenAsync(webs, PhaseOutcome.RollBack($"rolled back by {by} during the judged window"));
        if (end.PromotedBy is not null)
            return PhaseOutcome.Next;
        var enforce = spec.Mode == JudgeMode.Enforce;
        switch (end.Outcome)
        {
            case JudgeOutcome.Pass:
                await RecordAsync(DeployState.Judging, end, enforce ? "cutting over" : "passed (observe mode)");
                return PhaseOutcome.Next;
            case JudgeOutcome.Fail when enforce:
                await RecordAsync(DeployState.Judging, end, "rolled back");
                return await UnsplitThenAsync(webs, PhaseOutcome.RollBack($"the judge failed {_release.Version}: {end.Summary}"));
            case JudgeOutcome.Fail:
                await RecordAsync(DeployState.Judging, end, "would have rolled back (observe mode)");
                return PhaseOutcome.Next;
        }
        var insufficient = $"too few requests to tell after {spec.MaxSeconds} s: {end.Summary}";
        if (!enforce)
        {
            await RecordAsync(DeployState.Judging, end, $"would have {Would(spec.OnInsufficient)} (observe mode)");
            return PhaseOutcome.Next;
        }
        switch (spec.OnInsufficient)
        {
            case InsufficientAction.Promote:
                await RecordAsync(DeployState.Judging, end, "cutting over (on_insufficient: promote)");
                return PhaseOutcome.Next;
            case InsufficientAction.Abort:
                await RecordAsync(DeployState.Judging, end, "aborted (on_insufficient: abort)");
                return await UnsplitThenAsync(webs, PhaseOutcome.Abort($"the judge could not tell: {insufficient}; {StillServes}"));
        }
        await RecordAsync(DeployState.Judging, end,
            $"holding with the split in place: 'crossfade promote {_deploy.App} --env {_deploy.Environment}' cuts over, 'crossfade abort' goes back");
        var answer = await HoldAsync(DeployState.Judging, DateTimeOffset.MaxValue, promotable: true);
        return answer.RollbackBy is { } who
            ? await UnsplitThenAsync(webs, PhaseOutcome.RollBack($"aborted by {who} after the judge could not tell ({insufficient})"))
            : PhaseOutcome.Next;
    }

    /// <summary>Says on the timeline, at the window's start, when the traffic is too low for a verdict.</summary>
    private async Task WarnIfQuietAsync(JudgeWindow window)
    {
        if (await _s.Forecast.WarnAsync(window, _s.Time.GetUtcNow(), CancellationToken.None) is { } warning)
            await _s.Events.QuietAsync(_deploy, warning);
    }

    private static string Would(InsufficientAction action) => action switch
    {
        InsufficientAction.Promote => "cut over",
        InsufficientAction.Abort => "aborted",
        _ => "held for a person",
    };

    /// <summary>Every web host sends all its clients to the live instance again, at once, before the deploy goes back.</summary>
    private async Task<PhaseOutcome> UnsplitThenAsync(IReadOnlyList<PlannedStep> webs, PhaseOutcome then)
    {
        var unsplit = await RunStepsAsync(webs, _release, splitPercent: 0);
        return FirstFailure(unsplit) is { } failure ? then with { Reason = $"{then.Reason}; {failure}" } : then;
    }

    /// <summary>How a judged window ended: a verdict, or a person's promote or rollback.</summary>
    /// <remarks><paramref name="Stored"/>: the verdict is on record already (given before a restart).</remarks>
    private sealed record WindowEnd(
        JudgeOutcome Outcome, string Summary, JudgeVerdict? Verdict, string? RollbackBy = null, string? PromotedBy = null, bool Stored = false);

    /// <summary>
    /// Closes the window's hold, then reads the requests once more: a rollback that came before the close
    /// is honoured, one after it is refused (409) instead of taken and never read.
    /// </summary>
    private async Task<WindowEnd> CloseWindowAsync(DeployState phase, WindowEnd end)
    {
        await _s.Store.CloseHoldAsync(_deploy.Id, phase, _s.Time.GetUtcNow(), CancellationToken.None);
        return end.RollbackBy is null && (await _s.Store.ListDeployRequestsAsync(_deploy.Id, CancellationToken.None)).TryGetValue(DeployRequestKind.Rollback, out var by)
            ? end with { RollbackBy = by }
            : end;
    }

    /// <summary>A final verdict stored before a restart, acted on as it was given.</summary>
    private async Task<WindowEnd?> FinalVerdictAsync(DeployState phase) =>
        (await _s.Store.ListVerdictsAsync(_deploy.Id, CancellationToken.None)).LastOrDefault(v => v.Phase == phase && v.Final) is { } v
            ? new WindowEnd(v.Outcome, v.Summary, null, Stored: true)
            : null;

    /// <summary>
    /// Looks at the window every few seconds until a verdict decides it (<paramref name="untilDecided"/>;
    /// otherwise only a fail ends it early), a person promotes or rolls back, or <paramref name="until"/>.
    /// Every candidate is checked again every few seconds: one that stopped running or fails a critical
    /// path fails the window. A change of outcome is stored and told on the timeline as it happens. The
    /// hold is left open: what the caller does next decides whether a request is still taken.
    /// </summary>
    private async Task<WindowEnd> WatchAsync(JudgeWindow window, IReadOnlyList<PlannedStep> webs, DeployState phase, DateTimeOffset until, bool untilDecided)
    {
        var ct = CancellationToken.None;
        var said = (await _s.Store.ListVerdictsAsync(_deploy.Id, ct)).LastOrDefault(v => v.Phase == phase)?.Outcome;
        var checkedLook = -1;
        while (true)
        {
            var requests = await _s.Store.ListDeployRequestsAsync(_deploy.Id, ct);
            if (requests.TryGetValue(DeployRequestKind.Rollback, out var by))
                return new WindowEnd(JudgeOutcome.Insufficient, "", null, RollbackBy: by);
            if (phase == DeployState.Judging && requests.TryGetValue(DeployRequestKind.Promote, out var promoter))
                return new WindowEnd(JudgeOutcome.Insufficient, "", null, PromotedBy: promoter);
            var now = _s.Time.GetUtcNow();
            var problems = new List<InstanceProblem>();
            var look = (int)((now - window.Start) / _s.Options.JudgeCheckEvery);
            if (look != checkedLook)
            {
                checkedLook = look;
                problems = await CheckAgainAsync(webs, look);
                now = _s.Time.GetUtcNow();
            }
            var verdict = JudgeLook.Decide(await _s.Judge.ReadAsync(window, now, problems, ct), window.Spec);
            var outcome = JudgeViews.Of(verdict.Outcome);
            if (outcome == JudgeOutcome.Fail || (untilDecided && outcome == JudgeOutcome.Pass) || now >= until)
                return new WindowEnd(outcome, verdict.Summary, verdict);
            if (outcome != said)
            {
                await RecordAsync(phase, new WindowEnd(outcome, verdict.Summary, verdict), "watching", final: false);
                said = outcome;
            }
            // The time read again: the look took a while, and the window may have ended meanwhile.
            var left = until - _s.Time.GetUtcNow();
            await _s.Signals.WaitForDeployAsync(_deploy.Id, left < _s.Options.JudgeLookEvery ? left : _s.Options.JudgeLookEvery, ct);
        }
    }

    /// <summary>Checks every web host's instance of the release again (running, critical paths passing); what failed, per host.</summary>
    private async Task<List<InstanceProblem>> CheckAgainAsync(IReadOnlyList<PlannedStep> webs, int look)
    {
        var results = await RunStepsAsync(webs, _release, StepKind.Check, look: look, timeout: _s.Options.JudgeCheckTimeout);
        return results.Where(r => !r.Result.Succeeded)
            .Select(r => new InstanceProblem(r.Step.Host, r.Result.Message.StartsWith(CheckMessages.NotRunning, StringComparison.Ordinal), r.Result.Message))
            .ToList();
    }

    /// <summary>Stores a verdict and tells it on the timeline.</summary>
    private async Task RecordAsync(DeployState phase, WindowEnd end, string action, bool final = true)
    {
        if (end.Stored)
            return;
        var checks = end.Verdict?.Checks.Select(JudgeViews.Of).ToList() ?? [];
        await _s.Store.AddVerdictAsync(new VerdictRecord(0, _deploy.Id, _s.Time.GetUtcNow(), phase, end.Outcome, action, final, end.Summary,
            end.Verdict?.CandidateRequests ?? 0, end.Verdict?.BaselineRequests ?? 0, JudgeViews.ChecksJson(checks)), CancellationToken.None);
        // Only what ends a window reaches the timeline; the looks before it are on record.
        if (final)
            await _s.Events.JudgedAsync(_deploy, phase, end.Outcome, action, final, end.Summary, checks);
    }
}
