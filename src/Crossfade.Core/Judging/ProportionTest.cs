namespace Crossfade.Core.Judging;

/// <summary>
/// Fisher's exact test, one-sided: is the candidate's share of failed requests higher than the
/// baseline's? Exact for any counts, so it is right when failures are rare or none (where tests on
/// per-minute rates pass a zero-error baseline against a failing candidate).
/// </summary>
public static class ProportionTest
{
    /// <summary>
    /// The p-value: the chance, were both releases failing equally often, that the candidate would take
    /// at least <paramref name="candidateFailures"/> of all the failures, given how many requests each
    /// served (the hypergeometric upper tail). 1 when there are no failures at all.
    /// </summary>
    public static double CandidateWorseP(long candidateFailures, long candidateTotal, long baselineFailures, long baselineTotal)
    {
        if (candidateFailures < 0 || baselineFailures < 0 || candidateFailures > candidateTotal || baselineFailures > baselineTotal)
            throw new ArgumentOutOfRangeException(nameof(candidateFailures), "failures must be between 0 and the requests served");
        var failures = candidateFailures + baselineFailures;
        var total = candidateTotal + baselineTotal;
        if (failures == 0 || candidateTotal == 0 || baselineTotal == 0)
            return 1;
        var lowest = Math.Max(0, candidateTotal - (total - failures));
        var highest = Math.Min(failures, candidateTotal);
        // Every possible count's weight relative to the first, in logs: the ratio of neighbouring
        // hypergeometric terms needs no factorials, and the normalising constant cancels out.
        var logs = new double[highest - lowest + 1];
        for (var x = lowest; x < highest; x++)
        {
            var i = x - lowest;
            logs[i + 1] = logs[i] + Math.Log((double)(failures - x) * (candidateTotal - x))
                - Math.Log((double)(x + 1) * (total - failures - candidateTotal + x + 1));
        }
        var peak = logs.Max();
        double all = 0, tail = 0;
        for (var i = 0; i < logs.Length; i++)
        {
            var weight = Math.Exp(logs[i] - peak);
            all += weight;
            if (lowest + i >= candidateFailures)
                tail += weight;
        }
        return Math.Min(1, tail / all);
    }
}
