using Crossfade.Contracts.V1;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Telemetry;

/// <summary>
/// Raises an error event when a known error fingerprint comes much more often than it used to: over
/// the last <see cref="TelemetryOptions.SpikeWindow"/> at least <see cref="TelemetryOptions.SpikeMinErrors"/>
/// sightings and <see cref="TelemetryOptions.FingerprintSpikeFactor"/> times what its rate over the
/// <see cref="TelemetryOptions.FingerprintBaseline"/> before predicts. A fingerprint first seen inside
/// the window is left to <c>error.new</c>; one quiet for the whole baseline that comes back in force
/// is a spike. Counts live in memory (10 s buckets by the lines' own times, bounded per fingerprint
/// and in the number of fingerprints), so after a server restart a baseline builds up again first.
/// </summary>
public sealed class FingerprintSpikeDetector(Timeline timeline, TimeProvider time, TelemetryOptions options)
{
    private const long Bucket = 10;
    private readonly Dictionary<(string App, string Env, string Fingerprint), Counts> _counts = [];
    private readonly Lock _lock = new();

    private sealed class Counts
    {
        public readonly SortedDictionary<long, int> Buckets = [];
        public long First = long.MaxValue;
        public long Newest = long.MinValue;
        public DateTimeOffset? RaisedAt;
    }

    private sealed record Spike(ErrorSighting Latest, int InWindow, double Expected);

    public async Task ObserveAsync(IReadOnlyList<ErrorSighting> sightings, CancellationToken ct)
    {
        var spikes = new List<Spike>();
        lock (_lock)
            foreach (var group in sightings.GroupBy(s => (s.App, s.Environment, s.Fingerprint)))
                if (Count(group.Key, group) is { } spike)
                    spikes.Add(spike);
        foreach (var (s, inWindow, expected) in spikes)
            await timeline.PublishAsync(new EventRecord(0, default, "error.spike",
                $"Error spiking in {s.App} ({s.Environment}): {s.Message}",
                $"{inWindow} times in the last {options.SpikeWindow.TotalSeconds:0} s, where its usual rate predicts {expected:0.#}; latest on {s.Host}"
                + (s.Release is null ? "" : $" ({s.Release})") + (s.TopFrame is null ? "" : $"\n{s.TopFrame}"),
                [$"fingerprint:{s.Fingerprint}", .. s.Release is null ? Array.Empty<string>() : [$"release:{s.Release}"]],
                "crossfade", AlertTypes.Error, $"error-spike-{s.Fingerprint}", s.Host, s.App, s.Environment, null), ct);
    }

    private Spike? Count((string, string, string) key, IEnumerable<ErrorSighting> sightings)
    {
        if (!_counts.TryGetValue(key, out var counts))
        {
            if (_counts.Count >= options.FingerprintsTracked)
                _counts.Remove(_counts.MinBy(c => c.Value.Newest).Key);
            _counts[key] = counts = new Counts();
        }
        ErrorSighting? latest = null;
        foreach (var s in sightings)
        {
            var bucket = s.At.ToUnixTimeSeconds() / Bucket * Bucket;
            counts.Buckets[bucket] = counts.Buckets.GetValueOrDefault(bucket) + 1;
            counts.First = Math.Min(counts.First, bucket);
            if (bucket >= counts.Newest)
                latest = s;
            counts.Newest = Math.Max(counts.Newest, bucket);
        }
        var window = (long)options.SpikeWindow.TotalSeconds;
        var baseline = (long)options.FingerprintBaseline.TotalSeconds;
        var windowStart = counts.Newest + Bucket - window;
        var baselineStart = Math.Max(windowStart - baseline, counts.First);
        while (counts.Buckets.Count > 0 && counts.Buckets.First().Key < windowStart - baseline)
            counts.Buckets.Remove(counts.Buckets.First().Key);
        if (latest is null || counts.First >= windowStart)
            return null;
        int inWindow = 0, before = 0;
        foreach (var (at, n) in counts.Buckets)
        {
            if (at >= windowStart)
                inWindow += n;
            else if (at >= baselineStart)
                before += n;
        }
        var expected = (double)before / Math.Max(Bucket, windowStart - baselineStart) * window;
        var now = time.GetUtcNow();
        if (inWindow < options.SpikeMinErrors || inWindow < options.FingerprintSpikeFactor * expected
            || counts.RaisedAt is { } raised && now - raised <= options.SpikeCooldown)
            return null;
        counts.RaisedAt = now;
        return new Spike(latest, inWindow, expected);
    }
}
