namespace Crossfade.Core.Judging;

/// <summary>
/// The Mann-Whitney U test, one-sided: do the candidate's request durations tend to be longer than the
/// baseline's? Ranks, not means, so a few very slow requests do not decide it; ties get their average
/// rank and the variance is corrected for them; the p-value is the normal approximation with a
/// continuity correction, which is close for the hundreds of requests a verdict needs.
/// </summary>
public static class RankTest
{
    /// <summary>The p-value that the candidate is slower, and the U statistic of the candidate's sample.</summary>
    public static (double P, double U) CandidateSlowerP(IReadOnlyList<double> candidate, IReadOnlyList<double> baseline)
    {
        int m = candidate.Count, n = baseline.Count;
        if (m == 0 || n == 0)
            return (1, 0);
        var all = new (double Value, bool Candidate)[m + n];
        for (var i = 0; i < m; i++)
            all[i] = (candidate[i], true);
        for (var i = 0; i < n; i++)
            all[m + i] = (baseline[i], false);
        Array.Sort(all, (a, b) => a.Value.CompareTo(b.Value));
        double candidateRanks = 0, ties = 0;
        for (var start = 0; start < all.Length;)
        {
            var end = start;
            while (end + 1 < all.Length && all[end + 1].Value == all[start].Value)
                end++;
            var rank = (start + end) / 2.0 + 1;
            for (var i = start; i <= end; i++)
                if (all[i].Candidate)
                    candidateRanks += rank;
            double t = end - start + 1;
            ties += t * t * t - t;
            start = end + 1;
        }
        var u = candidateRanks - m * (m + 1) / 2.0;
        double total = m + n;
        var mean = m * (double)n / 2;
        var variance = m * (double)n / 12 * (total + 1 - ties / (total * (total - 1)));
        if (variance <= 0)
            return (1, u);
        var z = (u - mean - 0.5) / Math.Sqrt(variance);
        return (NormalDistribution.UpperTail(z), u);
    }
}
