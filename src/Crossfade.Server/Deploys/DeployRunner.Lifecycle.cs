using Crossfade.Core.Deploys;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

// The lease, the queue and the holds (bake window, canary) of a running deploy.
public sealed partial class DeployRunner
{
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
        var configJson = deploy.ConfigJson;
        if (deploy.Kind == "rollback" && version != deploy.Version && deploy.ConfigJson is not null
            && await config.SnapshotOfAsync(deploy.App, deploy.Environment, version, ct) is { } snapshot)
        {
            // The rollback now returns to another release: the configuration that goes back is that release's.
            configJson = System.Text.Json.JsonSerializer.Serialize(snapshot, Api.JsonBody.Options);
            await store.SetDeployConfigAsync(deploy.Id, configJson, ct);
        }
        return deploy with { Version = version, FromVersion = live, ConfigJson = configJson };
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
            {
                LogQueued(deployId, ahead.Id);
                await events.QueuedAsync(deploy, ahead);
            }
            logged = true;
            await Task.Delay(TimeSpan.FromMilliseconds(500), time);
        }
    }
}
