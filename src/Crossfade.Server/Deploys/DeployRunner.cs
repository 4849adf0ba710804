using System.Collections.Concurrent;
using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Core.Specs;
using Crossfade.Server.Agents;
using Crossfade.Server.Config;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Deploys;

/// <summary>
/// Drives a deploy through its phases on the server, top-down as the runbook reads: converge, every host
/// prepares a candidate, one migrator migrates, every candidate passes the critical paths, hosts switch
/// (canaries first when asked), the old instances bake, done. A failure before any switch leaves the
/// old release serving; a failure after one sends every switched host back. Lease, queue and holds live
/// in DeployRunner.Lifecycle.cs, step plumbing in DeployRunner.Steps.cs.
/// </summary>
public sealed partial class DeployRunner(
    IStore store, WorkSignals signals, ConfigService config, DeployEvents events, TimeProvider time, ServerOptions options, ILogger<DeployRunner> logger)
{
    private readonly ConcurrentDictionary<long, Task> _running = new();
    // Holds (bake window, canary) waiting here, woken when a request comes through this process.
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _wakeups = new();

    /// <summary>The deploys running now, so shutdown and tests can wait for them.</summary>
    public IReadOnlyCollection<Task> Running => _running.Values.ToList();

    private async Task RunAsync(long deployId)
    {
        var ct = CancellationToken.None;
        var deploy = (await store.GetDeployAsync(deployId, ct))!;
        if (deploy.State == nameof(DeployState.Queued))
            deploy = await FixVersionsAtStartAsync(deploy);
        if (deploy is null)
            return;
        var spec = AppSpecParser.Parse((await store.GetAppAsync(deploy.App, ct))!.SpecYaml).Spec!;
        var kind = Enum.Parse<DeployKind>(deploy.Kind, ignoreCase: true);
        var canary = CanarySpec.Parse(deploy.Canary, deploy.CanaryHoldSeconds).Spec;
        var plan = DeployPlanner.Plan(spec, deploy.Environment, kind, canary).Plan!;
        var release = (await store.GetReleaseAsync(deploy.App, deploy.Version, ct))!;
        var runtime = RuntimeFactory.From(spec);
        var bounds = new ArchiveBounds(options.Releases.MaxUnpackedBytes, options.Releases.MaxEntries);
        StepPayload PayloadFor(PlannedStep step, string version, string sha) => new(deploy.App, version, sha, step.Roles, runtime, Archive: bounds);
        var state = Enum.Parse<DeployState>(deploy.State);
        var existing = await ExistingStepsAsync(deployId);
        if (state == DeployState.Queued)
            LogStarted(deployId, deploy.App, deploy.Environment, deploy.Version);
        else
            LogResumed(deployId, deploy.State, existing.Count);

        async Task MoveAsync(DeployState to, string? reason = null)
        {
            // On resume the plan is replayed from the start: phases the deploy has passed already are not entered again.
            if (!DeployTransitions.IsTerminal(to) && Progress(to) <= Progress(state))
                return;
            DeployTransitions.Ensure(state, to);
            await store.EndPhaseAsync(deployId, state.ToString(), time.GetUtcNow(), ct);
            var final = DeployTransitions.IsTerminal(to);
            await store.SetDeployStateAsync(deployId, to.ToString(), reason, time.GetUtcNow(), final, ct);
            if (!final)
                await store.StartPhaseAsync(deployId, to.ToString(), time.GetUtcNow(), ct);
            await events.MovedAsync(deploy, state, to, reason);
            state = to;
        }

        if (kind is DeployKind.Converge or DeployKind.WhyRun)
        {
            await RunConvergeOnlyAsync(deploy, plan, existing, (s, version, sha) => PayloadFor(s, version, sha), MoveAsync);
            return;
        }

        if (state == DeployState.RollingBack)
        {
            // Resumed while rolling back: every host that switched to the new release goes back, whatever led here.
            var switchedHosts = plan.Phases.SelectMany(p => p.Steps)
                .Where(s => s.Kind == StepKinds.Activate && existing.ContainsKey((s.Host, StepKinds.Activate, release.Version)))
                .Select(s => (s, new StepResult(true, "")))
                .ToList();
            var resumedBack = await RollBackSwitchedHostsAsync(deployId, existing, deploy, plan, switchedHosts, PayloadFor);
            await MoveAsync(resumedBack.End, $"{deploy.Reason}; {resumedBack.Message}");
            LogEnded(deployId, resumedBack.End.ToString());
            return;
        }

        var preparing = plan.Phase(DeployState.Preparing)!;
        await MoveAsync(DeployState.Converging);
        if (await ConvergeForDeployAsync(deploy, plan, existing, PayloadFor) is { } convergeFailure)
        {
            await MoveAsync(DeployState.Aborted, $"{convergeFailure}; the fleet still serves {deploy.FromVersion ?? "nothing (first deploy)"}");
            LogEnded(deployId, "Aborted");
            return;
        }
        await MoveAsync(DeployState.Preparing);
        var prepared = await RunStepsAsync(deployId, existing, preparing.Steps, s => PayloadFor(s, release.Version, release.Sha256));
        if (FirstFailure(prepared) is { } prepareFailure)
        {
            await RunStepsAsync(deployId, existing, preparing.Steps, s => PayloadFor(s, release.Version, release.Sha256), StepKinds.Discard);
            await MoveAsync(DeployState.Aborted, $"{prepareFailure}; the fleet still serves {deploy.FromVersion ?? "nothing (first deploy)"}");
            return;
        }

        if (plan.Phase(DeployState.Migrating) is { } migrating)
        {
            await MoveAsync(DeployState.Migrating);
            var migrated = await RunStepsAsync(deployId, existing, migrating.Steps, s => PayloadFor(s, release.Version, release.Sha256));
            if (FirstFailure(migrated) is { } migrateFailure)
            {
                await RunStepsAsync(deployId, existing, preparing.Steps, s => PayloadFor(s, release.Version, release.Sha256), StepKinds.Discard);
                await MoveAsync(DeployState.Aborted, $"{migrateFailure}; no host was switched");
                return;
            }
        }

        if (plan.CandidateChecks.Count > 0)
        {
            var checkedCandidates = await RunStepsAsync(deployId, existing, plan.CandidateChecks, s => PayloadFor(s, release.Version, release.Sha256));
            if (FirstFailure(checkedCandidates) is { } checkFailure)
            {
                await RunStepsAsync(deployId, existing, preparing.Steps, s => PayloadFor(s, release.Version, release.Sha256), StepKinds.Discard);
                await MoveAsync(DeployState.Aborted, $"{checkFailure}; no host was switched, the fleet still serves {deploy.FromVersion ?? "nothing"}");
                return;
            }
        }

        var cutover = plan.Phase(DeployState.CuttingOver)!;
        await MoveAsync(DeployState.CuttingOver);
        var activated = await RunStepsAsync(deployId, existing, cutover.Steps, s => PayloadFor(s, release.Version, release.Sha256));
        if (FirstFailure(activated) is null && plan.Phase(DeployState.Promoting) is { } promoting)
        {
            await MoveAsync(DeployState.Canary);
            var aborter = Progress(state) <= Progress(DeployState.Canary) ? await HoldCanaryAsync(deployId, deploy.CanaryHoldSeconds) : null;
            if (aborter is not null)
            {
                await MoveAsync(DeployState.RollingBack, $"canary aborted by {aborter}");
                var returned = await RollBackSwitchedHostsAsync(deployId, existing, deploy, plan, activated, PayloadFor);
                await RunStepsAsync(deployId, existing, promoting.Steps, s => PayloadFor(s, release.Version, release.Sha256), StepKinds.Discard);
                await MoveAsync(returned.End, $"canary aborted by {aborter}; {returned.Message}; the other hosts never switched");
                LogEnded(deployId, returned.End.ToString());
                return;
            }
            await MoveAsync(DeployState.Promoting);
            activated = [.. activated, .. await RunStepsAsync(deployId, existing, promoting.Steps, s => PayloadFor(s, release.Version, release.Sha256))];
        }
        // A first release has no old instances to keep warm, so there is nothing to bake.
        if (FirstFailure(activated) is null && deploy.FromVersion is not null && plan.Phase(DeployState.Verifying) is { } verifying)
        {
            await MoveAsync(DeployState.Verifying);
            if (await WaitOutBakeAsync(deployId, spec.BakeSeconds) is { } requester)
            {
                await MoveAsync(DeployState.RollingBack, $"rollback requested by {requester} during verification");
                var reverted = await RollBackSwitchedHostsAsync(deployId, existing, deploy, plan, activated, PayloadFor);
                await MoveAsync(reverted.End, $"rolled back by {requester} during verification; {reverted.Message}");
                LogEnded(deployId, reverted.End.ToString());
                return;
            }
            // The old instances only stop here; a host that fails to stop one still serves the new release.
            await RunStepsAsync(deployId, existing, verifying.Steps, s => PayloadFor(s, release.Version, release.Sha256));
        }
        if (FirstFailure(activated) is not { } cutoverFailure)
        {
            await store.SetLiveVersionAsync(deploy.App, deploy.Environment, release.Version, deployId, ct);
            await MoveAsync(DeployState.Succeeded);
            LogEnded(deployId, "Succeeded");
            return;
        }

        await MoveAsync(DeployState.RollingBack, cutoverFailure);
        var back = await RollBackSwitchedHostsAsync(deployId, existing, deploy, plan, activated, PayloadFor);
        await MoveAsync(back.End, $"{cutoverFailure}; {back.Message}");
        LogEnded(deployId, back.End.ToString());
    }

    /// <summary>How a rollback ended: RolledBack, or Mixed when some host could not go back (named in the message).</summary>
    private sealed record RollbackOutcome(DeployState End, string Message);

    private async Task<RollbackOutcome> RollBackSwitchedHostsAsync(
        long deployId, Dictionary<(string, string, string), StepRecord> existing, DeployRecord deploy, DeployPlan plan,
        IReadOnlyList<(PlannedStep Step, StepResult Result)> activated, Func<PlannedStep, string, string, StepPayload> payloadFor)
    {
        var ct = CancellationToken.None;
        // The configuration goes back first, so the instances that take the traffic back run with it.
        var configBack = await RestoreConfigAsync(deploy, plan, existing, payloadFor);
        if (deploy.FromVersion is null || await store.GetReleaseAsync(deploy.App, deploy.FromVersion, ct) is not { } previous)
        {
            await RunStepsAsync(deployId, existing, activated.Select(a => a.Step).ToList(), s => payloadFor(s, deploy.Version, ""), StepKinds.Discard);
            return new RollbackOutcome(DeployState.RolledBack, "there was no earlier release; the new instances were stopped");
        }
        // Every host goes back, including the one that failed: its activate may have stopped half way.
        var hosts = activated.Select(a => a.Step).ToList();
        var prepared = await RunStepsAsync(deployId, existing, hosts, s => payloadFor(s, previous.Version, previous.Sha256), StepKinds.Prepare);
        var ready = prepared.Where(p => p.Result.Succeeded).Select(p => p.Step).ToList();
        var switched = await RunStepsAsync(deployId, existing, ready, s => payloadFor(s, previous.Version, previous.Sha256), StepKinds.Activate);
        var stuck = prepared.Where(p => !p.Result.Succeeded).Concat(switched.Where(s => !s.Result.Succeeded))
            .Select(p => $"{p.Step.Host} ({p.Result.Message})").ToList();
        var config = configBack is null ? "" : $"; {configBack}";
        return stuck.Count == 0
            ? new RollbackOutcome(DeployState.RolledBack, $"every host is back on {previous.Version}{config}")
            : new RollbackOutcome(DeployState.Mixed,
                $"the fleet is mixed: could not switch {string.Join(", ", stuck)} back to {previous.Version}; the other hosts serve {previous.Version}{config}");
    }

    [LoggerMessage(1, LogLevel.Information, "Deploy {DeployId} of {App} to {Environment} ({Version}) started")]
    private partial void LogStarted(long deployId, string app, string environment, string version);

    [LoggerMessage(2, LogLevel.Information, "Deploy {DeployId} ended: {State}")]
    private partial void LogEnded(long deployId, string state);

    [LoggerMessage(4, LogLevel.Warning, "Deploy {DeployId} resumed in {State} with {Steps} steps on record")]
    private partial void LogResumed(long deployId, string state, int steps);

    [LoggerMessage(5, LogLevel.Information, "Deploy {DeployId} is queued behind deploy {AheadId}")]
    private partial void LogQueued(long deployId, long aheadId);

    [LoggerMessage(3, LogLevel.Error, "Deploy {DeployId} crashed")]
    private partial void LogCrashed(long deployId, Exception ex);
}
