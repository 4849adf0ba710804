using System.Text.Json;
using Crossfade.Core.Specs;
using Crossfade.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Notifications;

/// <summary>
/// Puts a notice in the outbox for every target of its environment that takes its kind. It only writes
/// rows: sending is the <see cref="NoticeDelivery"/>'s, so a dead chat endpoint never slows a deploy.
/// </summary>
public sealed class Notifier(IStore store, Telemetry.AppSpecs specs, NoticeComposer composer, TimeProvider time, ILogger<Notifier> logger)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Raised when notices were queued, so the delivery wakes at once.</summary>
    public event Action? Queued;

    public async Task OfferAsync(EventRecord e)
    {
        try
        {
            if (e.App is null || e.Environment is null || !NoticeComposer.MayNotify(e.Kind)
                || (await specs.GetAsync(e.App, CancellationToken.None))?.Environments.GetValueOrDefault(e.Environment) is not { NoticeTargets.Count: > 0 } environment)
                return;
            if (await composer.ComposeAsync(e, CancellationToken.None) is not { } notice)
                return;
            var now = time.GetUtcNow();
            var rows = environment.NoticeTargets.Where(t => t.Events.Contains(notice.Kind)).Select(t => new OutboxRecord(0, KeyOf(e.App, e.Environment, t),
                JsonSerializer.Serialize(t, Json), e.App, e.Environment, notice.Kind, JsonSerializer.Serialize(notice, Json), notice.DeployId,
                OutboxStates.Pending, 0, now, null, now, null)).ToList();
            await store.EnqueueNoticesAsync(rows, CancellationToken.None);
            if (rows.Count > 0)
                Queued?.Invoke();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A notice lost is a pity; a deploy stopped by one would be a fault.
            logger.LogError(ex, "could not queue the notices of event {Kind} of {App}", e.Kind, e.App);
        }
    }

    /// <summary>A target's key: its notices are sent in order, one at a time.</summary>
    public static string KeyOf(string app, string environment, NotifySpec target) => $"{app}/{environment}/{target.Kind}/{target.Secret}/{target.Channel}";
}
