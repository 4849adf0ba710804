using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Events;

/// <summary>
/// The one timeline: every event is stored first, then whoever follows the stream is woken. Followers
/// read the store (after the last id they saw), so nothing published is missed between two wake-ups.
/// </summary>
public sealed class Timeline(IStore store, TimeProvider time, Telemetry.Exporters exporters, Notifications.Notifier notifier)
{
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();

    public async Task<EventRecord> PublishAsync(EventRecord draft, CancellationToken ct)
    {
        var tags = draft.Tags.Concat(Tag("app", draft.App)).Concat(Tag("env", draft.Environment)).Concat(Tag("host", draft.Host))
            .Concat(Tag("deploy", draft.DeployId?.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Distinct(StringComparer.Ordinal).ToList();
        var stored = draft with { Tags = tags, At = draft.At == default ? time.GetUtcNow() : draft.At };
        stored = stored with { Id = await store.AddEventAsync(stored, ct) };
        exporters.Offer(stored);
        await notifier.OfferAsync(stored);
        TaskCompletionSource woken;
        lock (_lock)
        {
            woken = _published;
            _published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.TrySetResult();
        return stored;
    }

    /// <summary>Returns when an event is published, or after <paramref name="max"/>, whichever is first.</summary>
    public async Task WaitForNextAsync(TimeSpan max, CancellationToken ct)
    {
        Task next;
        lock (_lock)
            next = _published.Task;
        await Task.WhenAny(next, Task.Delay(max, time, ct));
    }

    private static IEnumerable<string> Tag(string key, string? value) => value is null ? [] : [$"{key}:{value}"];

    public static EventView View(EventRecord e) =>
        new(e.Id, e.At, e.Kind, e.Title, e.Text, e.Tags, e.Source, e.AlertType, e.AggregationKey, e.Host, e.App, e.Environment, e.DeployId);

    /// <summary>An event about a deploy, tagged with its app, environment, release and id.</summary>
    public static EventRecord About(DeployRecord d, string kind, string title, string text, string alertType, string? host = null) =>
        new(0, default, kind, title, text, [$"release:{d.Version}", $"kind:{WireNames.Of(d.Kind)}"], "crossfade", alertType, $"deploy-{d.Id}", host, d.App, d.Environment, d.Id);
}
