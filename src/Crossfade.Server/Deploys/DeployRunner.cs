using System.Collections.Concurrent;
using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Server.Agents;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

/// <summary>
/// Runs deploys on this server process: takes a deploy's lease and keeps it alive, waits for its turn
/// behind older deploys of the same app and environment, then hands it to a <see cref="DeployRun"/>,
/// which drives its phases. Requests for a running deploy (promote, rollback) are stored first and then
/// signalled, so they reach it whichever server process runs it, and survive a restart.
/// </summary>
public sealed class DeployRunner(DeployServices services)
{
    private readonly ConcurrentDictionary<long, Task> _running = new();
    private IStore Store => services.Store;
    private TimeProvider Time => services.Time;
    private ServerOptions Options => services.Options;

    /// <summary>The deploys running now, so shutdown and tests can wait for them.</summary>
    public IReadOnlyCollection<Task> Running => _running.Values.ToList();

    /// <summary>Whether this process runs the deploy now.</summary>
    public bool IsRunning(long deployId) => _running.ContainsKey(deployId);

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
            var heartbeat = Task.CompletedTask;
            try
            {
                if (!await Store.ClaimDeployAsync(deployId, Options.InstanceId, Time.GetUtcNow(), Options.LeaseExpiry, CancellationToken.None))
                    return;
                heartbeat = HeartbeatAsync(deployId, lease.Token);
                await WaitForTurnAsync(deployId);
                if (await FrozenAtItsTurnAsync(deployId))
                    return;
                if (await StartingAsync(deployId) is { } deploy)
                    await (await DeployRun.LoadAsync(services, deploy)).RunAsync();
            }
            catch (Exception ex)
            {
                DeployLog.Crashed(services.Logger, deployId, ex);
                // A bug, not an expected failure: the record says so; the deploy resumes when its lease expires.
                await Store.SetDeployStateAsync(deployId, (await Store.GetDeployAsync(deployId, CancellationToken.None))!.State,
                    $"internal error; another attempt follows when its lease expires: {ex.Message}", Time.GetUtcNow(), false, CancellationToken.None);
            }
            finally
            {
                await lease.CancelAsync();
                await heartbeat;
                services.Signals.Forget(deployId);
                _running.TryRemove(deployId, out _);
            }
        });
        _running[deployId] = task;
        gate.SetResult();
    }

    /// <summary>Asks a deploy in its bake window or canary hold (<paramref name="phase"/>) to roll back. False when that hold has just ended.</summary>
    public Task<bool> RequestRollbackAsync(long deployId, DeployState phase, string requestedBy) =>
        RequestAsync(deployId, DeployRequestKind.Rollback, phase, requestedBy);

    /// <summary>Promotes a holding canary or judged window. False when the hold has just ended.</summary>
    public Task<bool> RequestPromoteAsync(long deployId, DeployState phase, string requestedBy) =>
        RequestAsync(deployId, DeployRequestKind.Promote, phase, requestedBy);

    private async Task<bool> RequestAsync(long deployId, DeployRequestKind kind, DeployState phase, string requestedBy)
    {
        var taken = await Store.AddDeployRequestAsync(deployId, kind, phase, requestedBy, Time.GetUtcNow(), CancellationToken.None);
        services.Signals.DeployChanged(deployId);
        return taken;
    }

    /// <summary>
    /// The deploy as it starts or resumes. A deploy goes from what is live when it starts, which for a
    /// queued one is not what was live when it was asked for; a queued rollback likewise goes back from
    /// the release live at its start. Null when there is nothing left to do.
    /// </summary>
    private async Task<DeployRecord?> StartingAsync(long deployId)
    {
        var ct = CancellationToken.None;
        var deploy = (await Store.GetDeployAsync(deployId, ct))!;
        if (deploy.State != DeployState.Queued)
            return DeployTransitions.IsTerminal(deploy.State) ? null : deploy;
        var live = await Store.GetLiveVersionAsync(deploy.App, deploy.Environment, ct);
        var version = deploy.Version;
        if (deploy.Kind == DeployKind.Rollback)
        {
            var target = (await Store.ListPastLiveVersionsAsync(deploy.App, deploy.Environment, ct)).FirstOrDefault(v => v != live);
            if (target is null)
            {
                await Store.SetDeployStateAsync(deploy.Id, DeployState.Aborted, "no earlier release to roll back to when its turn came", Time.GetUtcNow(), true, ct);
                return null;
            }
            version = target;
        }
        if (version == deploy.Version && live == deploy.FromVersion)
            return deploy;
        await Store.SetDeployVersionsAsync(deploy.Id, version, live, ct);
        var configJson = deploy.ConfigJson;
        if (deploy.Kind == DeployKind.Rollback && version != deploy.Version && deploy.ConfigJson is not null
            && await services.Config.SnapshotOfAsync(deploy.App, deploy.Environment, version, ct) is { } snapshot)
        {
            // The rollback now returns to another release: the configuration that goes back is that release's.
            configJson = System.Text.Json.JsonSerializer.Serialize(snapshot, Api.JsonBody.Options);
            await Store.SetDeployConfigAsync(deploy.Id, configJson, ct);
        }
        return deploy with { Version = version, FromVersion = live, ConfigJson = configJson };
    }

    private async Task HeartbeatAsync(long deployId, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(Options.LeaseExpiry / 3, Time, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            if (!stop.IsCancellationRequested)
                await Store.ClaimDeployAsync(deployId, Options.InstanceId, Time.GetUtcNow(), Options.LeaseExpiry, CancellationToken.None);
        }
    }

    /// <summary>
    /// A deploy starting while a freeze holds passed the gate before the freeze began (it waited its
    /// turn, say), or was let through by an admin's override (then it goes). Otherwise a person's is aborted
    /// with the freeze's reason (nothing was touched); a schedule's or a webhook's keeps its place and
    /// starts when the freeze ends, unless its environment says to refuse. One overridden by an admin goes.
    /// </summary>
    private async Task<bool> FrozenAtItsTurnAsync(long deployId)
    {
        var ct = CancellationToken.None;
        while (true)
        {
            var deploy = (await Store.GetDeployAsync(deployId, ct))!;
            if (deploy.State != DeployState.Queued || deploy.Kind is DeployKind.Rollback or DeployKind.WhyRun
                || await DeployGate.HoldingAsync(Store, deploy.App, deploy.Environment, Time.GetUtcNow(), ct) is not { } holding)
                return false;
            var overrides = await Store.ListEventsAsync(new EventQuery(App: deploy.App, Environment: deploy.Environment, Kind: EventKinds.FreezeOverride, Limit: 1000), ct);
            if (overrides.Any(e => e.DeployId == deploy.Id))
                return false;
            var spec = await Store.GetAppAsync(deploy.App, ct) is { } app ? Core.Specs.AppSpecParser.Parse(app.SpecYaml).Spec : null;
            var waits = DeployGate.Unattended.Contains(deploy.Trigger)
                && spec?.Environments.GetValueOrDefault(deploy.Environment)?.DuringFreeze != Core.Specs.FreezePolicy.Refuse;
            var what = DeployGate.Describe(deploy.Environment, holding.Freeze, holding.Until);
            if (!waits)
            {
                var reason = $"{what}, which began after it was asked for: nothing was touched";
                await Store.SetDeployStateAsync(deploy.Id, DeployState.Aborted, reason, Time.GetUtcNow(), true, ct);
                await services.Events.MovedAsync(deploy with { State = DeployState.Aborted }, DeployState.Converging, DeployState.Aborted, reason);
                return true;
            }
            await Task.Delay(TimeSpan.FromSeconds(5), Time);
        }
    }

    /// <summary>A queued deploy (--wait) starts when every older deploy of its app and environment has ended.</summary>
    private async Task WaitForTurnAsync(long deployId)
    {
        var deploy = (await Store.GetDeployAsync(deployId, CancellationToken.None))!;
        var logged = false;
        while (await Store.DeployAheadAsync(deploy, CancellationToken.None) is { } ahead)
        {
            if (!logged)
            {
                DeployLog.Queued(services.Logger, deployId, ahead.Id);
                await services.Events.QueuedAsync(deploy, ahead);
            }
            logged = true;
            await Task.Delay(TimeSpan.FromMilliseconds(500), Time);
        }
    }
}
