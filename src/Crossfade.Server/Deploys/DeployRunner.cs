using System.Collections.Concurrent;
using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Core.Specs;
using Crossfade.Server.Agents;
using Crossfade.Server.Api;
using Crossfade.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Deploys;

/// <summary>
/// Drives a deploy through its phases on the server: every host prepares, one migrator migrates,
/// every host activates; a failure before cutover leaves the old release serving, a failure during
/// cutover sends the hosts that switched back to the release they had.
/// </summary>
public sealed partial class DeployRunner(IStore store, WorkSignals signals, TimeProvider time, ServerOptions options, ILogger<DeployRunner> logger)
{
    private readonly ConcurrentDictionary<long, Task> _running = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<string>> _rollbackRequests = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _promoteRequests = new();

    /// <summary>The deploys running now, so shutdown and tests can wait for them.</summary>
    public IReadOnlyCollection<Task> Running => _running.Values.ToList();

    /// <summary>Runs (or resumes) a deploy in the background if this process can take its lease.</summary>
    public void Launch(long deployId)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_running.TryAdd(deployId, gate.Task))
            return;
        var task = Task.Run(async () =>
        {
            await gate.Task;
            using var lease = new CancellationTokenSource();
            Task heartbeat = Task.CompletedTask;
            try
            {
                if (!await store.ClaimDeployAsync(deployId, options.InstanceId, time.GetUtcNow(), options.LeaseExpiry, CancellationToken.None))
                    return;
                heartbeat = HeartbeatAsync(deployId, lease.Token);
                await WaitForTurnAsync(deployId);
                await RunAsync(deployId);
            }
            catch (Exception ex)
            {
                LogCrashed(deployId, ex);
                // A bug, not an expected failure: the record says so; the deploy resumes at the next server start.
                await store.SetDeployStateAsync(deployId, (await store.GetDeployAsync(deployId, CancellationToken.None))!.State,
                    $"internal error; another attempt follows when its lease expires: {ex.Message}", time.GetUtcNow(), false, CancellationToken.None);
            }
            finally
            {
                await lease.CancelAsync();
                await heartbeat;
                _running.TryRemove(deployId, out _);
            }
        });
        _running[deployId] = task;
        gate.SetResult();
    }

    /// <summary>
    /// A deploy goes from what is live when it starts, which for a queued one is not what was live when it
    /// was asked for; a queued rollback likewise goes back from the release live at its start.
    /// </summary>
    private async Task<DeployRecord?> FixVersionsAtStartAsync(DeployRecord deploy)
    {
        var ct = CancellationToken.None;
        var live = await store.GetLiveVersionAsync(deploy.App, deploy.Environment, ct);
        var version = deploy.Version;
        if (deploy.Kind == "rollback")
        {
            var target = (await store.ListPastLiveVersionsAsync(deploy.App, deploy.Environment, ct)).FirstOrDefault(v => v != live);
            if (target is null)
            {
                await store.SetDeployStateAsync(deploy.Id, nameof(DeployState.Aborted), "no earlier release to roll back to when its turn came", time.GetUtcNow(), true, ct);
                return null;
            }
            version = target;
        }
        if (version == deploy.Version && live == deploy.FromVersion)
            return deploy;
        await store.SetDeployVersionsAsync(deploy.Id, version, live, ct);
        return deploy with { Version = version, FromVersion = live };
    }

    /// <summary>
    /// Holds the deploy in Verifying for the bake window, old instances warm. Returns who asked for a
    /// rollback if someone did before the window ended, null otherwise.
    /// </summary>
    private async Task<string?> WaitOutBakeAsync(long deployId, int seconds)
    {
        var asked = _rollbackRequests.GetOrAdd(deployId, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            var window = Task.Delay(TimeSpan.FromSeconds(seconds), time);
            return await Task.WhenAny(asked.Task, window) == asked.Task ? await asked.Task : null;
        }
        finally
        {
            _rollbackRequests.TryRemove(deployId, out _);
        }
    }

    /// <summary>Asks a deploy in its bake window or canary hold to roll back now; false when it is not holding in this process.</summary>
    public bool RequestRollback(long deployId, string requestedBy) =>
        _rollbackRequests.TryGetValue(deployId, out var asked) && asked.TrySetResult(requestedBy);

    /// <summary>Promotes a holding canary: the other hosts switch now. False when no canary holds in this process.</summary>
    public bool RequestPromote(long deployId) =>
        _promoteRequests.TryGetValue(deployId, out var asked) && asked.TrySetResult();

    /// <summary>
    /// Holds the canary: until promoted, until the hold time passes (when one was given), or until someone
    /// aborts; returns who aborted, or null to promote.
    /// </summary>
    private async Task<string?> HoldCanaryAsync(long deployId, int? holdSeconds)
    {
        var aborted = _rollbackRequests.GetOrAdd(deployId, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        var promoted = _promoteRequests.GetOrAdd(deployId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            var hold = holdSeconds is { } s ? Task.Delay(TimeSpan.FromSeconds(s), time) : Task.Delay(Timeout.InfiniteTimeSpan, time);
            return await Task.WhenAny(aborted.Task, promoted.Task, hold) == aborted.Task ? await aborted.Task : null;
        }
        finally
        {
            _rollbackRequests.TryRemove(deployId, out _);
            _promoteRequests.TryRemove(deployId, out _);
        }
    }

    /// <summary>Whether this process runs the deploy now.</summary>
    public bool IsRunning(long deployId) => _running.ContainsKey(deployId);

    private async Task HeartbeatAsync(long deployId, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(options.LeaseExpiry / 3, time, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            if (!stop.IsCancellationRequested)
                await store.ClaimDeployAsync(deployId, options.InstanceId, time.GetUtcNow(), options.LeaseExpiry, CancellationToken.None);
        }
    }

    /// <summary>A queued deploy (--wait) starts when every older deploy of its app and environment has ended.</summary>
    private async Task WaitForTurnAsync(long deployId)
    {
        var deploy = (await store.GetDeployAsync(deployId, CancellationToken.None))!;
        var logged = false;
        while (await store.DeployAheadAsync(deploy, CancellationToken.None) is { } ahead)
        {
            if (!logged)
                LogQueued(deployId, ahead.Id);
            logged = true;
            await Task.Delay(TimeSpan.FromMilliseconds(500), time);
        }
    }

    private async Task RunAsync(long deployId)
    {
        var ct = CancellationToken.None;
        var deploy = (await store.GetDeployAsync(deployId, ct))!;
        if (deploy.State == nameof(DeployState.Queued))
            deploy = await FixVersionsAtStartAsync(deploy);
        if (deploy is null)
            return;
        var spec = AppSpecParser.Parse((await store.GetAppAsync(deploy.App, ct))!.SpecYaml).Spec!;
        var kind = deploy.Kind == "rollback" ? DeployKind.Rollback : DeployKind.Deploy;
        var canary = CanarySpec.Parse(deploy.Canary, deploy.CanaryHoldSeconds).Spec;
        var plan = DeployPlanner.Plan(spec, deploy.Environment, kind, canary).Plan!;
        var release = (await store.GetReleaseAsync(deploy.App, deploy.Version, ct))!;
        var runtime = RuntimeFactory.From(spec);
        StepPayload PayloadFor(PlannedStep step, string version, string sha) => new(deploy.App, version, sha, step.Roles, runtime);
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
            state = to;
        }

        if (state == DeployState.RollingBack)
        {
            // Resumed while rolling back: every host that switched to the new release goes back, whatever led here.
            var switchedHosts = plan.Phases.SelectMany(p => p.Steps)
                .Where(s => s.Kind == StepKinds.Activate && existing.ContainsKey((s.Host, StepKinds.Activate, release.Version)))
                .Select(s => (s, new StepResult(true, "")))
                .ToList();
            var resumedBack = await RollBackSwitchedHostsAsync(deployId, existing, deploy, switchedHosts, PayloadFor);
            await MoveAsync(DeployState.RolledBack, $"{deploy.Reason}; {resumedBack}");
            return;
        }

        var preparing = plan.Phase(DeployState.Preparing)!;
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
                var returned = await RollBackSwitchedHostsAsync(deployId, existing, deploy, activated, PayloadFor);
                await RunStepsAsync(deployId, existing, promoting.Steps, s => PayloadFor(s, release.Version, release.Sha256), StepKinds.Discard);
                await MoveAsync(DeployState.RolledBack, $"canary aborted by {aborter}; {returned}; the other hosts never switched");
                LogEnded(deployId, "RolledBack");
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
                var reverted = await RollBackSwitchedHostsAsync(deployId, existing, deploy, activated, PayloadFor);
                await MoveAsync(DeployState.RolledBack, $"rolled back by {requester} during verification; {reverted}");
                LogEnded(deployId, "RolledBack");
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
        var back = await RollBackSwitchedHostsAsync(deployId, existing, deploy, activated, PayloadFor);
        await MoveAsync(DeployState.RolledBack, $"{cutoverFailure}; {back}");
        LogEnded(deployId, "RolledBack");
    }

    private async Task<string> RollBackSwitchedHostsAsync(
        long deployId, Dictionary<(string, string, string), StepRecord> existing, DeployRecord deploy, IReadOnlyList<(PlannedStep Step, StepResult Result)> activated,
        Func<PlannedStep, string, string, StepPayload> payloadFor)
    {
        var ct = CancellationToken.None;
        if (deploy.FromVersion is null || await store.GetReleaseAsync(deploy.App, deploy.FromVersion, ct) is not { } previous)
        {
            await RunStepsAsync(deployId, existing, activated.Select(a => a.Step).ToList(), s => payloadFor(s, deploy.Version, ""), StepKinds.Discard);
            return "there was no earlier release; the new instances were stopped";
        }
        // Every host goes back, including the one that failed: its activate may have stopped half way.
        var hosts = activated.Select(a => a.Step).ToList();
        var prepared = await RunStepsAsync(deployId, existing, hosts, s => payloadFor(s, previous.Version, previous.Sha256), StepKinds.Prepare);
        var ready = prepared.Where(p => p.Result.Succeeded).Select(p => p.Step).ToList();
        var switched = await RunStepsAsync(deployId, existing, ready, s => payloadFor(s, previous.Version, previous.Sha256), StepKinds.Activate);
        var failed = prepared.Where(p => !p.Result.Succeeded).Concat(switched.Where(s => !s.Result.Succeeded)).Select(p => p.Step.Host).ToList();
        return failed.Count == 0
            ? $"every host is back on {previous.Version}"
            : $"could not switch {string.Join(", ", failed)} back to {previous.Version}: look at the steps";
    }

    private static string? FirstFailure(IReadOnlyList<(PlannedStep Step, StepResult Result)> results) =>
        results.FirstOrDefault(r => !r.Result.Succeeded) is { Step: not null } f ? $"{f.Step.Host}: {f.Step.Kind} failed: {f.Result.Message}" : null;

    /// <summary>
    /// Queues one step per host, in parallel, and waits for each to end or time out. A step this deploy
    /// queued already (same host, kind and release: a resumed deploy) is awaited, not queued again.
    /// </summary>
    private async Task<IReadOnlyList<(PlannedStep Step, StepResult Result)>> RunStepsAsync(
        long deployId, Dictionary<(string, string, string), StepRecord> existing, IReadOnlyList<PlannedStep> steps,
        Func<PlannedStep, StepPayload> payloadFor, string? kindOverride = null)
    {
        var waits = new List<Task<(PlannedStep, StepResult)>>();
        foreach (var step in steps)
        {
            var kind = kindOverride ?? step.Kind;
            var payload = payloadFor(step);
            long id;
            if (existing.TryGetValue((step.Host, kind, payload.Version), out var earlier))
                id = earlier.Id;
            else
            {
                id = await store.AddStepAsync(deployId, step.Host, kind, JsonSerializer.Serialize(payload, JsonBody.Options), CancellationToken.None);
                existing[(step.Host, kind, payload.Version)] = (await store.GetStepAsync(id, CancellationToken.None))!;
            }
            var watch = signals.WatchStep(id);
            signals.StepQueued(step.Host);
            waits.Add(AwaitStepAsync(step with { Kind = kind }, id, watch));
        }
        return await Task.WhenAll(waits);
    }

    private async Task<Dictionary<(string, string, string), StepRecord>> ExistingStepsAsync(long deployId)
    {
        var steps = await store.ListStepsAsync(deployId, CancellationToken.None);
        return steps
            .GroupBy(s => (s.Host, s.Kind, JsonSerializer.Deserialize<StepPayload>(s.PayloadJson, JsonBody.Options)!.Version))
            .ToDictionary(g => g.Key, g => g.Last());
    }

    /// <summary>How far along the happy path a state is, for skipping passed phases on resume.</summary>
    private static int Progress(DeployState state) => state switch
    {
        DeployState.RollingBack => 100,
        _ => (int)state,
    };

    private async Task<(PlannedStep, StepResult)> AwaitStepAsync(PlannedStep step, long id, Task<StepResult> watch)
    {
        // The agent may have reported before this watch existed (a resumed deploy): the store has it then.
        if (await store.GetStepAsync(id, CancellationToken.None) is { } known && StepStatus.IsFinal(known.Status))
        {
            signals.Forget(id);
            return (step, new StepResult(known.Status == StepStatus.Succeeded, known.Message ?? ""));
        }
        var timeout = Task.Delay(options.StepTimeout, time);
        if (await Task.WhenAny(watch, timeout) == watch)
            return (step, await watch);
        signals.Forget(id);
        var message = $"no answer from {step.Host} within {options.StepTimeout.TotalSeconds:0}s";
        await store.FinishStepAsync(id, false, message, time.GetUtcNow(), CancellationToken.None);
        // The agent may have answered in the same instant; the store keeps whichever came first.
        var stored = await store.GetStepAsync(id, CancellationToken.None);
        return (step, new StepResult(stored?.Status == StepStatus.Succeeded, stored?.Message ?? message));
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
