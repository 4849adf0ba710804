using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Schedules;

/// <summary>
/// An unattended deploy (a push's build, a CI's webhook) that a freeze holds back becomes a schedule
/// waiting for the freeze's end: the scheduler starts it then, through the gate again.
/// </summary>
public static class WaitingSchedule
{
    public static Task<long> AddAsync(IStore store, TimeProvider time, string app, string environment, string version, string requestedBy, DateTimeOffset until, string? reason) =>
        store.AddScheduleAsync(new ScheduleRecord(0, app, environment, version, null, null, until, false, requestedBy, Roles.Deployer,
            time.GetUtcNow(), ScheduleStates.Waiting, null, reason), CancellationToken.None);
}
