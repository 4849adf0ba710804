using System.Collections.Concurrent;
using Crossfade.Contracts.V1;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Telemetry;

/// <summary>
/// Watches the access records as they arrive and raises an error event when a route of a release
/// answers 5xx too often: at least <see cref="TelemetryOptions.SpikeMinErrors"/> errors and
/// <see cref="TelemetryOptions.SpikeRate"/> of its requests over the last
/// <see cref="TelemetryOptions.SpikeWindow"/> (by the records' own times). One event per route and
/// release per cool-down, so a bad release does not flood the timeline.
/// </summary>
public sealed class ErrorSpikeDetector(Timeline timeline, TimeProvider time, TelemetryOptions options)
{
    private readonly ConcurrentDictionary<(string App, string Env, string Release, string Route), Window> _windows = new();

    private sealed class Window
    {
        // Counts per second of the records' own time: bounded by the window however busy the route,
        // and right when batches arrive out of order.
        public readonly SortedDictionary<long, (int Requests, int Errors)> Seconds = [];
        public int Requests;
        public int Errors;
        public long Newest = long.MinValue;
        public DateTimeOffset? RaisedAt;
    }

    public async Task ObserveAsync(IReadOnlyList<StoredAccess> access, CancellationToken ct)
    {
        foreach (var group in access.GroupBy(a => (a.App, a.Environment, a.Release, Route: $"{a.Method} {a.Route}")))
        {
            var window = _windows.GetOrAdd(group.Key, _ => new Window());
            string? alert = null;
            lock (window)
            {
                foreach (var a in group)
                {
                    var second = a.At.ToUnixTimeSeconds();
                    var error = a.Status >= 500 ? 1 : 0;
                    var (requests, errors) = window.Seconds.GetValueOrDefault(second);
                    window.Seconds[second] = (requests + 1, errors + error);
                    window.Requests++;
                    window.Errors += error;
                    window.Newest = Math.Max(window.Newest, second);
                }
                var oldest = window.Newest - (long)options.SpikeWindow.TotalSeconds;
                while (window.Seconds.Count > 0 && window.Seconds.First() is var first && first.Key < oldest)
                {
                    window.Seconds.Remove(first.Key);
                    window.Requests -= first.Value.Requests;
                    window.Errors -= first.Value.Errors;
                }
                var total = window.Requests;
                var rate = total == 0 ? 0 : (double)window.Errors / total;
                var now = time.GetUtcNow();
                if (window.Errors >= options.SpikeMinErrors && rate >= options.SpikeRate && (window.RaisedAt is null || now - window.RaisedAt > options.SpikeCooldown))
                {
                    window.RaisedAt = now;
                    alert = $"{window.Errors} of {total} requests ({rate:P0}) in the last {options.SpikeWindow.TotalSeconds:0} s";
                }
            }
            if (alert is null)
                continue;
            var (app, env, release, route) = group.Key;
            await timeline.PublishAsync(new EventRecord(0, default, "error.spike",
                $"5xx on {route} of {app} {release} in {env}: {alert}",
                $"hosts: {string.Join(", ", group.Select(a => a.Host).Distinct().Order(StringComparer.Ordinal))}; threshold {options.SpikeRate:P0} and at least {options.SpikeMinErrors} errors",
                [$"release:{release}", $"route:{route}"], "crossfade", AlertTypes.Error, $"5xx-{app}-{env}-{release}-{route}", null, app, env, null), ct);
        }
    }
}
