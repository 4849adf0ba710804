using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;

namespace Crossfade.Server.Deploys;

// RollingBack: every host that switched to the new release goes back, whatever led here.
public sealed partial class DeployRun
{
    /// <summary>
    /// Sends every host the deploy switched (or tried to: an activate may have stopped half way) back to
    /// the release before, configuration first; stops the candidates of hosts that never switched; ends
    /// RolledBack, or Mixed naming each host that could not go back.
    /// </summary>
    private async Task FinishRollBackAsync(string reason)
    {
        var back = await RollBackSwitchedHostsAsync();
        var unswitched = _plan.Phases.SelectMany(p => p.Steps)
            .Where(s => s.Kind == StepKind.Activate && !_steps.Has([s], StepKind.Activate, _release.Version)
                && _steps.Has([s], StepKind.Prepare, _release.Version))
            .ToList();
        if (unswitched.Count > 0)
            await RunStepsAsync(unswitched, _release, StepKind.Discard);
        await EndAsync(back.End, $"{reason}; {back.Message}{(unswitched.Count > 0 ? "; the other hosts never switched" : "")}");
    }

    /// <summary>How a rollback ended: RolledBack, or Mixed when some host could not go back (named in the message).</summary>
    private sealed record RollbackOutcome(DeployState End, string Message);

    private async Task<RollbackOutcome> RollBackSwitchedHostsAsync()
    {
        var ct = CancellationToken.None;
        // The hosts this deploy asked to switch, read from its steps on record, so a resumed rollback finds them too.
        var switched = _plan.Phases.SelectMany(p => p.Steps)
            .Where(s => s.Kind == StepKind.Activate && _steps.Has([s], StepKind.Activate, _release.Version))
            .ToList();
        // The configuration goes back first, so the instances that take the traffic back run with it.
        var configBack = await RestoreConfigAsync();
        if (_deploy.FromVersion is null || await _s.Store.GetReleaseAsync(_deploy.App, _deploy.FromVersion, ct) is not { } previous)
        {
            await RunStepsAsync(switched, _release with { Sha256 = "" }, StepKind.Discard);
            return new RollbackOutcome(DeployState.RolledBack, "there was no earlier release; the new instances were stopped");
        }
        var prepared = await RunStepsAsync(switched, previous, StepKind.Prepare);
        var ready = prepared.Where(p => p.Result.Succeeded).Select(p => p.Step).ToList();
        var returned = await RunStepsAsync(ready, previous, StepKind.Activate);
        var stuck = prepared.Where(p => !p.Result.Succeeded).Concat(returned.Where(s => !s.Result.Succeeded))
            .Select(p => $"{p.Step.Host} ({p.Result.Message})").ToList();
        var config = configBack is null ? "" : $"; {configBack}";
        return stuck.Count == 0
            ? new RollbackOutcome(DeployState.RolledBack, $"every host is back on {previous.Version}{config}")
            : new RollbackOutcome(DeployState.Mixed,
                $"the fleet is mixed: could not switch {string.Join(", ", stuck)} back to {previous.Version}; the other hosts serve {previous.Version}{config}");
    }
}
