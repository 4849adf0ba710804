namespace Crossfade.Load;

/// <summary>Nearest-rank percentiles of latencies.</summary>
public static class Percentiles
{
    public static double Of(IReadOnlyList<Sample> samples, double percentile)
    {
        if (samples.Count == 0)
            return 0;
        var sorted = samples.Select(s => (double)s.Milliseconds).Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
