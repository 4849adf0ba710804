namespace Crossfade.Load;

/// <summary>Nearest-rank percentiles of latencies.</summary>
public static class Percentiles
{
    public static double Of(IReadOnlyList<Sample> samples, double percentile) =>
        Of(samples.Select(s => (double)s.Milliseconds).ToList(), percentile);

    /// <summary>The nearest-rank <paramref name="percentile"/> (0..100) of plain values.</summary>
    public static double Of(IReadOnlyList<double> values, double percentile)
    {
        if (values.Count == 0)
            return 0;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
