using System.Globalization;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Judging;

/// <summary>
/// Whether a judged window will likely see enough requests: the environment's traffic of the last
/// minutes (the lower of ten minutes' rate and the last sixty seconds'), the split's share of it, over
/// the window's length, against the requests a pass needs.
/// </summary>
public sealed class TrafficForecast(IStore store)
{
    private static readonly TimeSpan Recent = TimeSpan.FromMinutes(10);

    /// <summary>A warning a person reads when the window will likely end "too few requests to tell", else null.</summary>
    public async Task<string?> WarnAsync(JudgeWindow w, DateTimeOffset now, CancellationToken ct)
    {
        var minutes = await store.ListMinutesAsync(w.App, w.Environment, now - Recent, now, ct);
        // The lower of the last ten minutes' rate and the last sixty seconds' (counted in the raw records,
        // not a whole minute that may still hold the busy part): traffic that just fell away counts as gone.
        var lastSixty = await store.CountAccessRecordsAsync(w.App, w.Environment, now - TimeSpan.FromMinutes(1), now, ct);
        var perMinute = Math.Min(minutes.Sum(m => m.Requests) / Recent.TotalMinutes, lastSixty);
        var seconds = Math.Max(0, w.Spec.MaxSeconds - w.Spec.WarmupSeconds);
        var expected = perMinute * w.Spec.WeightPercent / 100 * seconds / 60;
        if (expected >= w.Spec.Thresholds.MinRequests)
            return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"at this environment's recent traffic ({perMinute:0.#} requests a minute), {w.Spec.WeightPercent}% of it gives {w.Candidate} about {expected:0} requests in the {seconds} s window, and a pass needs {w.Spec.Thresholds.MinRequests}: this deploy will likely end \"too few requests to tell\" ('crossfade traffic {w.App} --env {w.Environment}' shows the busier hours)");
    }
}
