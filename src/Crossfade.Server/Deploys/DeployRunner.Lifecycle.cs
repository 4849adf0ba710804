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
    /// Holds the deploy in Verifying until the bake window ends, old instances warm; the window runs from
    /// the phase's start, so a deploy resumed after a restart waits only for what is left of it. Returns
    /// who asked for a rollback if someone did before it ended (stored, see <see cref="RequestRollbackAsync"/>), null otherwise.
    /// </summary>
    private async Task<string?> WaitOutBakeAsync(long deployId, int seconds)
    {
        var until = await PhaseStartAsync(deployId, DeployState.Verifying) + TimeSpan.FromSeconds(seconds);
        // A promote (the canary's, before this window) does not end a bake window: only its end or a rollback does.
        var (rollback, _) = await HoldAsync(deployId, DeployState.Verifying, until, promotable: false);
        return rollback;
    }

    /// <summary>
    /// Holds the canary: until promoted, until the hold time since the phase's start passes (when one
    /// was given), or until someone aborts; returns who aborted, or null to promote.
    /// </summary>
    private async Task<string?> HoldCanaryAsync(long deployId, int? holdSeconds)
    {
        var until = holdSeconds is { } s ? await PhaseStartAsync(deployId, DeployState.Canary) + TimeSpan.FromSeconds(s) : DateTimeOffset.MaxValue;
        var (rollback, _) = await HoldAsync(deployId, DeployState.Canary, until, promotable: true);
        return rollback;
    }

    /// <summary>
    /// Waits until <paramref name="until"/> or a stored request: a rollback (returns who asked) or, when
    /// <paramref name="promotable"/>, a promote. The store is read every second, so a request made through
    /// any server process arrives; one made through this process wakes the hold at once.
    /// </summary>
    private async Task<(string? Rollback, bool Promoted)> HoldAsync(long deployId, DeployState phase, DateTimeOffset until, bool promotable)
    {
        var wake = _wakeups.GetOrAdd(deployId, _ => new SemaphoreSlim(0));
        try
        {
            for (var closed = false; ; )
            {
                var requests = await store.ListDeployRequestsAsync(deployId, CancellationToken.None);
                if (requests.TryGetValue(DeployRequests.Rollback, out var by))
                    return (by, false);
                if (promotable && requests.ContainsKey(DeployRequests.Promote))
                    return (null, true);
                if (closed)
                    return (null, false);
                var left = until - time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    // Closed first, then read once more: a request that came before the close is honoured,
                    // one after it is refused (409) instead of accepted and never read.
                    await store.CloseHoldAsync(deployId, phase.ToString(), time.GetUtcNow(), CancellationToken.None);
                    closed = true;
                    continue;
                }
                // A waiter that loses to the delay is cancelled, so it never takes a wake-up meant for the next turn.
                using var lost = new CancellationTokenSource();
                var woken = wake.WaitAsync(lost.Token);
                if (await Task.WhenAny(woken, Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), time)) != woken)
                    await lost.CancelAsync();
                await woken.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        finally
        {
            _wakeups.TryRemove(deployId, out _);
        }
    }

    private async Task<DateTimeOffset> PhaseStartAsync(long deployId, DeployState phase) =>
        (await store.ListPhasesAsync(deployId, CancellationToken.None)).LastOrDefault(p => p.Name == phase.ToString())?.StartedAt ?? time.GetUtcNow();

    /// <summary>
    /// Asks a deploy in its bake window or canary hold (<paramref name="phase"/>) to roll back: stored, then
    /// the hold is woken if it is here. False when that hold has just ended.
    /// </summary>
    public async Task<bool> RequestRollbackAsync(long deployId, string phase, string requestedBy)
    {
        var taken = await store.AddDeployRequestAsync(deployId, DeployRequests.Rollback, phase, requestedBy, time.GetUtcNow(), CancellationToken.None);
        Wake(deployId);
        return taken;
    }

    /// <summary>Promotes a holding canary: stored, then the hold is woken if it is here. False when the hold has just ended.</summary>
    public async Task<bool> RequestPromoteAsync(long deployId, string requestedBy)
    {
        var taken = await store.AddDeployRequestAsync(deployId, DeployRequests.Promote, nameof(DeployState.Canary), requestedBy, time.GetUtcNow(), CancellationToken.None);
        Wake(deployId);
        return taken;
    }

    private void Wake(long deployId)
    {
        if (_wakeups.TryGetValue(deployId, out var wake))
            wake.Release();
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
