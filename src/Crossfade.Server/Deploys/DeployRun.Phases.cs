using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Core.Specs;
using Crossfade.Server.Judging;

namespace Crossfade.Server.Deploys;

// One method per phase on the way forward, in the order RunAsync takes them.
public sealed partial class DeployRun
{
    /// <summary>
    /// The deploy's configuration on every host. When one host fails, the live configuration goes back
    /// everywhere, so the fleet is left as it was.
    /// </summary>
    private async Task<PhaseOutcome> ConvergeAsync()
    {
        // Entered even with nothing to converge, so every deploy's record shows the same phases.
        await MoveAsync(DeployState.Converging);
        if (_plan.Phase(DeployState.Converging) is not { } converging || _deploy.ConfigJson is null)
            return PhaseOutcome.Next;
        var config = new ConfigRef(_deploy.Id, false, ReloadMode);
        var results = await RunStepsAsync(converging.Steps, _release, config: config);
        await _s.Events.ConvergedAsync(_deploy, results.Select(r => (r.Step.Host, r.Result)));
        if (FirstFailure(results) is not { } failure)
            return PhaseOutcome.Next;
        var restored = await RestoreConfigAsync();
        return PhaseOutcome.Abort($"{failure}{(restored is null ? "" : $"; {restored}")}; {StillServes}");
    }

    /// <summary>Every host stages the release; a web host starts a healthy candidate beside its live instance.</summary>
    private async Task<PhaseOutcome> PrepareAsync()
    {
        var preparing = _plan.Phase(DeployState.Preparing)!;
        await MoveAsync(DeployState.Preparing);
        var prepared = await RunStepsAsync(preparing.Steps, _release);
        return FirstFailure(prepared) is { } failure ? PhaseOutcome.Abort($"{failure}; {StillServes}") : PhaseOutcome.Next;
    }

    /// <summary>One migrator host runs the release's migration, once.</summary>
    private async Task<PhaseOutcome> MigrateAsync()
    {
        if (_plan.Phase(DeployState.Migrating) is not { } migrating)
            return PhaseOutcome.Next;
        await MoveAsync(DeployState.Migrating);
        var migrated = await RunStepsAsync(migrating.Steps, _release);
        return FirstFailure(migrated) is { } failure ? PhaseOutcome.Abort($"{failure}; no host was switched") : PhaseOutcome.Next;
    }

    /// <summary>Every candidate passes the critical paths before any host switches.</summary>
    private async Task<PhaseOutcome> CheckCandidatesAsync()
    {
        if (_plan.CandidateChecks.Count == 0)
            return PhaseOutcome.Next;
        var checkedCandidates = await RunStepsAsync(_plan.CandidateChecks, _release);
        return FirstFailure(checkedCandidates) is { } failure
            ? PhaseOutcome.Abort($"{failure}; no host was switched, {StillServes}")
            : PhaseOutcome.Next;
    }

    /// <summary>Hosts switch to their candidates (only the canaries, when the deploy has some).</summary>
    private async Task<PhaseOutcome> CutOverAsync()
    {
        var cutover = _plan.Phase(DeployState.CuttingOver)!;
        await MoveAsync(DeployState.CuttingOver);
        var activated = await RunStepsAsync(cutover.Steps, _release);
        return FirstFailure(activated) is { } failure ? PhaseOutcome.RollBack(failure) : PhaseOutcome.Next;
    }

    /// <summary>
    /// The canaries serve the new release while the other hosts serve the old one: until promoted, until
    /// the hold time since the phase's start passes (when one was given), or until someone aborts.
    /// </summary>
    private async Task<PhaseOutcome> HoldCanaryAsync()
    {
        if (_plan.Phase(DeployState.Canary) is null)
            return PhaseOutcome.Next;
        await MoveAsync(DeployState.Canary);
        // A deploy resumed after its canary was promoted does not hold again.
        if (_state != DeployState.Canary)
            return PhaseOutcome.Next;
        var until = _deploy.CanaryHoldSeconds is { } s ? await PhaseStartAsync(DeployState.Canary) + TimeSpan.FromSeconds(s) : DateTimeOffset.MaxValue;
        var answer = await HoldAsync(DeployState.Canary, until, promotable: true);
        return answer.RollbackBy is { } by ? PhaseOutcome.RollBack($"canary aborted by {by}") : PhaseOutcome.Next;
    }

    /// <summary>The hosts that were not canaries switch.</summary>
    private async Task<PhaseOutcome> PromoteAsync()
    {
        if (_plan.Phase(DeployState.Promoting) is not { } promoting)
            return PhaseOutcome.Next;
        await MoveAsync(DeployState.Promoting);
        var activated = await RunStepsAsync(promoting.Steps, _release);
        return FirstFailure(activated) is { } failure ? PhaseOutcome.RollBack(failure) : PhaseOutcome.Next;
    }

    /// <summary>
    /// The bake window: the new release serves while the old instances stay warm, so a rollback now is
    /// instant — asked for by a person, or by the judge, which compares the new release's requests with
    /// the old release's of the hour before the deploy (no old release takes traffic now) and with the
    /// spec's absolute limits; in observe mode it records what it would have done. The window runs from
    /// the phase's start, so a resumed deploy waits only for what is left of it. A first release has no
    /// old instances, so nothing to bake. The old instances stop only at its end; a host that fails to
    /// stop one still serves the new release.
    /// </summary>
    private async Task<PhaseOutcome> BakeAsync()
    {
        if (_deploy.FromVersion is null || _plan.Phase(DeployState.Verifying) is not { } verifying)
            return PhaseOutcome.Next;
        await MoveAsync(DeployState.Verifying);
        var start = await PhaseStartAsync(DeployState.Verifying);
        var until = start + TimeSpan.FromSeconds(_spec.BakeSeconds);
        if (_deploy.Kind != DeployKind.Deploy || _deploy.FromVersion == _release.Version)
        {
            // A rollback (or a redeploy of the live version) is not judged: there is no new release to judge.
            var answer = await HoldAsync(DeployState.Verifying, until, promotable: false);
            if (answer.RollbackBy is { } who)
                return PhaseOutcome.RollBack($"rolled back by {who} during verification");
            await RunStepsAsync(verifying.Steps, _release);
            return PhaseOutcome.Next;
        }
        var window = new JudgeWindow(_deploy.App, _deploy.Environment, _release.Version, _deploy.FromVersion, start, _spec.Judging,
            BaselineFrom: _deploy.CreatedAt - TimeSpan.FromHours(1), BaselineUntil: await PhaseStartAsync(DeployState.CuttingOver));
        // A promote (the canary's, before this window) does not end a bake window: only its end or a rollback does.
        var end = await FinalVerdictAsync(DeployState.Verifying) ?? await WatchAsync(window, [], DeployState.Verifying, until, untilDecided: false);
        end = await CloseWindowAsync(DeployState.Verifying, end);
        if (end.RollbackBy is { } by)
            return PhaseOutcome.RollBack($"rolled back by {by} during verification");
        if (end.Outcome == JudgeOutcome.Fail && _spec.Judging.Mode == JudgeMode.Enforce)
        {
            await RecordAsync(DeployState.Verifying, end, "rolled back");
            return PhaseOutcome.RollBack($"the judge failed {_release.Version} in the bake window: {end.Summary}");
        }
        await RecordAsync(DeployState.Verifying, end, end.Outcome == JudgeOutcome.Fail ? "would have rolled back (observe mode)" : "the bake window ended");
        await RunStepsAsync(verifying.Steps, _release);
        return PhaseOutcome.Next;
    }
}
