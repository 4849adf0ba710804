namespace Crossfade.Core.Judging;

/// <summary>Quantiles of a sample, by linear interpolation between the closest ranks.</summary>
public static class Quantiles
{
    /// <summary>The <paramref name="q"/> quantile (0..1) of values sorted ascending; NaN for none.</summary>
    public static double OfSorted(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0)
            return double.NaN;
        var at = q * (sorted.Count - 1);
        var below = (int)Math.Floor(at);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (at - below);
    }
}
