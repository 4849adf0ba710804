using Crossfade.Contracts.V1;
using Crossfade.Server.Audit;
using Crossfade.Server.Deploys;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Schedules;

/// <summary>
/// Starts scheduled deploys when their time comes, through the same gate as every other trigger: a
/// freeze makes one wait (when its environment says so) and it starts when the freeze ends; a refusal
/// fails it with the reason. Each schedule is claimed before it runs and its deploy carries an
/// idempotency key of its own, so neither a second server nor a restart deploys it twice.
/// </summary>
public sealed class DeployScheduler(
    IStore store, DeployService deploys, Timeline timeline, AuditLog audit, TimeProvider time, ILogger<DeployScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "scheduled deploys could not be started this round");
            }
            await Task.Delay(Tick, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Starts (or leaves waiting, or fails) every open schedule whose time has come; returns how many it moved.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var moved = 0;
        var claimable = new[] { ScheduleStates.Pending, ScheduleStates.Waiting };
        foreach (var due in await store.ListDueSchedulesAsync(now, ct))
        {
            // Claimed from pending or waiting only: a second server process finds it starting and leaves it.
            if (!await store.MoveScheduleAsync(due.Id, claimable, ScheduleStates.Starting, due.RunAt, null, due.Reason, ct))
                continue;
            moved++;
            try
            {
                await RunAsync(due, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "scheduled deploy #{Id} could not be started", due.Id);
                await store.MoveScheduleAsync(due.Id, [ScheduleStates.Starting], ScheduleStates.Failed, due.RunAt, null, $"it could not be started: {e.Message}", CancellationToken.None);
            }
        }
        return moved;
    }

    private async Task RunAsync(ScheduleRecord due, CancellationToken ct)
    {
        var request = new DeployRequest(due.App, due.Environment, DeployKind.Deploy, due.Version, due.RequestedBy, due.Role, "schedule",
            $"schedule-{due.Id}", Queue: true, Canary: Core.Deploys.CanarySpec.Parse(due.Canary, due.CanaryHoldSeconds).Spec);
        var start = await deploys.StartAsync(request, ct);
        var starting = new[] { ScheduleStates.Starting };
        var parameters = new Dictionary<string, string> { ["schedule"] = Text(due.Id), ["version"] = due.Version };
        if (start.Deploy is { } deploy)
        {
            parameters["deploy"] = Text(deploy.Id);
            await audit.RecordAsync(due.RequestedBy, "schedule.run", due.App, due.Environment, parameters, start.Status, "");
            await store.MoveScheduleAsync(due.Id, starting, ScheduleStates.Started, due.RunAt, deploy.Id, null, ct);
            return;
        }
        // The records first, the schedule's state last: whoever sees the state finds the records there.
        if (start.WaitUntil is { } until)
        {
            if (due.State != ScheduleStates.Waiting)
                await timeline.PublishAsync(new EventRecord(0, time.GetUtcNow(), EventKinds.ScheduleWaiting,
                    $"scheduled deploy #{due.Id} of {due.App} {due.Version} to {due.Environment} waits for a freeze", start.Refusal ?? "",
                    [$"release:{due.Version}"], "crossfade", AlertTypes.Warning, null, null, due.App, due.Environment, null), ct);
            await store.MoveScheduleAsync(due.Id, starting, ScheduleStates.Waiting, until, null, start.Refusal, ct);
            return;
        }
        await audit.RecordAsync(due.RequestedBy, "schedule.run", due.App, due.Environment, parameters, start.Status, start.Refusal ?? "");
        await store.MoveScheduleAsync(due.Id, starting, ScheduleStates.Failed, due.RunAt, null, start.Refusal, ct);
        await timeline.PublishAsync(new EventRecord(0, time.GetUtcNow(), EventKinds.DeployEnded,
            $"scheduled deploy #{due.Id} of {due.App} {due.Version} to {due.Environment} was refused", start.Refusal ?? "",
            [$"release:{due.Version}"], "crossfade", AlertTypes.Error, null, null, due.App, due.Environment, null), ct);
    }

    private static string Text(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
