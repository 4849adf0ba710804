using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Core.Specs;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

/// <summary>
/// One deploy while it runs on this server process: its record, plan and release, the steps it has
/// queued and the state it stands in, with one method per phase (DeployRun.Phases.cs). <see cref="RunAsync"/>
/// reads top-down as the runbook does. A deploy resumed after a restart replays the same phases: a step it
/// queued before is awaited (its result is in the store), never queued again, and a phase it has entered is
/// not entered again (<see cref="DeployResumeOrder"/>). Everything that reaches it — step results, promote
/// and rollback requests — is read from the store, so it survives a restart and arrives through any server
/// process; the signals only wake it sooner.
/// </summary>
public sealed partial class DeployRun
{
    private readonly DeployServices _s;
    private readonly DeployRecord _deploy;
    private readonly AppSpec _spec;
    private readonly DeployPlan _plan;
    private readonly ReleaseRecord _release;
    private readonly AppRuntime _runtime;
    private readonly ArchiveBounds _bounds;
    private readonly StepBook _steps;
    private DeployState _state;

    private DeployRun(DeployServices s, DeployRecord deploy, AppSpec spec, DeployPlan plan, ReleaseRecord release, StepBook steps)
    {
        _s = s;
        _deploy = deploy;
        _spec = spec;
        _plan = plan;
        _release = release;
        _runtime = RuntimeFactory.From(spec);
        _bounds = new ArchiveBounds(s.Options.Releases.MaxUnpackedBytes, s.Options.Releases.MaxEntries);
        _steps = steps;
        _state = deploy.State;
    }

    /// <summary>Reads what the deploy needs from the store: its app's spec, the plan made from it, its release and the steps on record.</summary>
    public static async Task<DeployRun> LoadAsync(DeployServices s, DeployRecord deploy)
    {
        var ct = CancellationToken.None;
        var spec = AppSpecParser.Parse((await s.Store.GetAppAsync(deploy.App, ct))!.SpecYaml).Spec!;
        var canary = CanarySpec.Parse(deploy.Canary, deploy.CanaryHoldSeconds).Spec;
        var plan = DeployPlanner.Plan(spec, deploy.Environment, deploy.Kind, canary).Plan!;
        var release = (await s.Store.GetReleaseAsync(deploy.App, deploy.Version, ct))!;
        var steps = await StepBook.LoadAsync(s.Store, deploy.Id);
        return new DeployRun(s, deploy, spec, plan, release, steps);
    }

    /// <summary>
    /// The phases on the way forward, in order, each with the state it runs in (the candidate checks run
    /// at the end of Migrating, before any host switches). A phase the plan does not have lets the deploy
    /// go on. Adding a phase: a method, a row here, a <see cref="DeployState"/>, its legal transitions and
    /// its place in <see cref="DeployResumeOrder"/> (a test holds this list to that order).
    /// </summary>
    private static readonly (DeployState State, Func<DeployRun, Task<PhaseOutcome>> Run)[] Forward =
    [
        (DeployState.Converging, run => run.ConvergeAsync()),
        (DeployState.Preparing, run => run.PrepareAsync()),
        (DeployState.Migrating, run => run.MigrateAsync()),
        (DeployState.Migrating, run => run.CheckCandidatesAsync()),
        (DeployState.Judging, run => run.JudgeAsync()),
        (DeployState.CuttingOver, run => run.CutOverAsync()),
        (DeployState.Canary, run => run.HoldCanaryAsync()),
        (DeployState.Promoting, run => run.PromoteAsync()),
        (DeployState.Verifying, run => run.BakeAsync()),
    ];

    /// <summary>The states of the phases on the way forward, in the order a deploy takes them.</summary>
    public static IReadOnlyList<DeployState> ForwardStates { get; } = Forward.Select(f => f.State).ToArray();

    /// <summary>Drives the deploy from the state it stands in to its end.</summary>
    public async Task RunAsync()
    {
        _s.Signals.Watch(_deploy.Id);
        if (_state == DeployState.Queued)
            DeployLog.Started(_s.Logger, _deploy.Id, _deploy.App, _deploy.Environment, _deploy.Version);
        else
            DeployLog.Resumed(_s.Logger, _deploy.Id, _deploy.State.ToString(), _steps.Count);

        if (_deploy.Kind is DeployKind.Converge or DeployKind.WhyRun)
        {
            await ConvergeOnlyAsync();
            return;
        }
        if (_state == DeployState.RollingBack)
        {
            // Resumed while rolling back: every host that switched goes back, whatever led here.
            await FinishRollBackAsync(_deploy.Reason ?? "rolling back");
            return;
        }
        foreach (var (_, run) in Forward)
        {
            var outcome = await run(this);
            if (outcome.Verdict == PhaseVerdict.Abort)
            {
                await AbortAsync(outcome.Reason);
                return;
            }
            if (outcome.Verdict == PhaseVerdict.RollBack)
            {
                await MoveAsync(DeployState.RollingBack, outcome.Reason);
                await FinishRollBackAsync(outcome.Reason);
                return;
            }
        }
        await _s.Store.SetLiveVersionAsync(_deploy.App, _deploy.Environment, _release.Version, _deploy.Id, CancellationToken.None);
        await EndAsync(DeployState.Succeeded, null);
    }

    /// <summary>
    /// Enters a phase (or ends the deploy): the phase's record, the deploy's state and the timeline. On a
    /// resumed deploy a phase entered before is not entered again.
    /// </summary>
    private async Task MoveAsync(DeployState to, string? reason = null)
    {
        var ct = CancellationToken.None;
        if (!DeployTransitions.IsTerminal(to) && to != DeployState.RollingBack && DeployResumeOrder.HasEntered(_state, to))
            return;
        DeployTransitions.Ensure(_state, to);
        var now = _s.Time.GetUtcNow();
        await _s.Store.EndPhaseAsync(_deploy.Id, _state, now, ct);
        var final = DeployTransitions.IsTerminal(to);
        await _s.Store.SetDeployStateAsync(_deploy.Id, to, reason, now, final, ct);
        if (!final)
            await _s.Store.StartPhaseAsync(_deploy.Id, to, now, ct);
        await _s.Events.MovedAsync(_deploy, _state, to, reason);
        _state = to;
    }

    private async Task EndAsync(DeployState end, string? reason)
    {
        await MoveAsync(end, reason);
        DeployLog.Ended(_s.Logger, _deploy.Id, end.ToString());
    }

    /// <summary>Nothing switched: candidates already started stop, and the fleet serves what it served.</summary>
    private async Task AbortAsync(string reason)
    {
        if (_plan.Phase(DeployState.Preparing) is { } preparing && _steps.Has(preparing.Steps, StepKind.Prepare, _release.Version))
            await RunStepsAsync(preparing.Steps, _release, StepKind.Discard);
        await EndAsync(DeployState.Aborted, reason);
    }

    private StepPayload PayloadFor(PlannedStep step, string version, string sha) =>
        new(_deploy.App, version, sha, step.Roles, _runtime, Archive: _bounds);

    private string StillServes => $"the fleet still serves {_deploy.FromVersion ?? "nothing (first deploy)"}";
}
