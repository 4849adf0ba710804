using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Core.Specs;
using Crossfade.Server.Api;
using Crossfade.Server.Judging;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

// Judging: a share of every web host's clients on its candidate while the judge compares the two releases.
public sealed partial class DeployRun
{
    /// <summary>
    /// Whether this deploy is judged at all: a new release over another one (not a redeploy of the live
    /// version, whose two sides would be the same release), without a canary (a canary is a person's
    /// judgement, with its own hold).
    /// </summary>
    private bool Judged => _deploy.Kind == DeployKind.Deploy && _deploy.FromVersion is { } from && from != _release.Version && _deploy.Canary is null;

    /// <summary>
    /// The judged window. Every web host splits its clients at once (the one planned mixed state); the
    /// judge looks every few seconds from the moment the last host split. In enforce mode a fail ends every
    /// split at once and the deploy rolls back; a pass goes on to the cutover; too few requests by the
    /// window's end does what the spec says. In observe mode the verdict is recorded as what would have
    /// been done, and the deploy goes on. Resumed after a restart, the window goes on from its stored
    /// start, and a verdict already final is acted on as it was given.
    /// </summary>
    private async Task<PhaseOutcome> JudgeAsync()
    {
        if (_plan.Phase(DeployState.Judging) is not { Steps.Count: > 0 } judging || !Judged)
            return PhaseOutcome.Next;
        await MoveAsync(DeployState.Judging);
        if (_state != DeployState.Judging)
            return PhaseOutcome.Next;
        var spec = _spec.Judging;
        var split = await RunStepsAsync(judging.Steps, _release, splitPercent: spec.WeightPercent);
        // No host switched: the hosts that split go back to serving every client the old release, and the candidates stop.
        if (FirstFailure(split) is { } failure)
            return await UnsplitThenAsync(judging.Steps, PhaseOutcome.Abort($"{failure}; no host was switched, {StillServes}"));
        var window = new JudgeWindow(_deploy.App, _deploy.Environment, _release.Version, _deploy.FromVersion!, await SplitStartAsync(), spec);
        await WarnIfQuietAsync(window);
        var end = await FinalVerdictAsync(DeployState.Judging)
            ?? await WatchAsync(window, judging.Steps, DeployState.Judging, window.Start + TimeSpan.FromSeconds(spec.MaxSeconds), untilDecided: true);
        return await ActOnWindowAsync(window, judging.Steps, end);
    }

    /// <summary>When the last web host split: the judged window runs from there (the same on a resumed deploy).</summary>
    private async Task<DateTimeOffset> SplitStartAsync()
    {
        var steps = await _s.Store.ListStepsAsync(_deploy.Id, CancellationToken.None);
        return steps.Where(s => s.Kind == StepKind.Split && s.EndedAt is not null
                && JsonSerializer.Deserialize<StepPayload>(s.PayloadJson, JsonBody.Options)?.SplitPercent > 0)
            .Max(s => s.EndedAt) ?? _s.Time.GetUtcNow();
    }

    private async Task<PhaseOutcome> ActOnWindowAsync(JudgeWindow window, IReadOnlyList<PlannedStep> webs, WindowEnd end)
    {
        var spec = window.Spec;
        var enforce = spec.Mode == JudgeMode.Enforce;
        var holds = enforce && spec.OnInsufficient == InsufficientAction.Hold && end.Outcome == JudgeOutcome.Insufficient
            && end.RollbackBy is null && end.PromotedBy is null;
        if (holds)
        {
            // The split stays and the judge keeps looking: a fail still rolls back, a pass cuts over, a person decides otherwise.
            await RecordAsync(DeployState.Judging, end,
                $"holding with the split in place: 'crossfade promote {_deploy.App} --env {_deploy.Environment}' cuts over, 'crossfade abort' goes back");
            end = await WatchAsync(window, webs, DeployState.Judging, DateTimeOffset.MaxValue, untilDecided: true) with { Held = true };
        }
        end = await CloseWindowAsync(DeployState.Judging, end);
        if (end.RollbackBy is { } by)
        {
            await RecordAsync(DeployState.Judging, end, $"rolled back by {by}");
            return await UnsplitThenAsync(webs, PhaseOutcome.RollBack($"rolled back by {by} during the judged window"));
        }
        if (end.PromotedBy is { } promoter)
        {
            await RecordAsync(DeployState.Judging, end, $"promoted by {promoter}");
            return PhaseOutcome.Next;
        }
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
        if (spec.OnInsufficient == InsufficientAction.Promote)
        {
            await RecordAsync(DeployState.Judging, end, "cutting over (on_insufficient: promote)");
            return PhaseOutcome.Next;
        }
        await RecordAsync(DeployState.Judging, end, "aborted (on_insufficient: abort)");
        return await UnsplitThenAsync(webs, PhaseOutcome.Abort($"the judge could not tell: {insufficient}; {StillServes}"));
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

    /// <summary>A final verdict stored before a restart, acted on as it was given (a hold is taken up again).</summary>
    private async Task<WindowEnd?> FinalVerdictAsync(DeployState phase) =>
        (await _s.Store.ListVerdictsAsync(_deploy.Id, CancellationToken.None)).LastOrDefault(v => v.Phase == phase && v.Final) is { } v
            ? new WindowEnd(v.Outcome, v.Summary, null, Stored: true)
            : null;
}
