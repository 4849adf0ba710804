using System.Globalization;

namespace Crossfade.Core.Judging;

/// <summary>
/// Compares the candidate's request durations in a route group with the baseline's. The rank test says
/// whether they are longer as a whole, and the median's shift whether by enough to matter; a second
/// test on the slowest requests (the share of each side above the baseline's p95, by Fisher's exact
/// test) says whether the tail is longer, and the p95's shift whether by enough — so a release whose
/// slowest requests got much slower is caught even when most requests did not change.
/// </summary>
public static class LatencyCheck
{
    public const string Name = "latency";

    public static CheckResult Compare(
        string group, IReadOnlyList<double> candidateMs, IReadOnlyList<double> baselineMs,
        string candidateRelease, string baselineRelease, JudgeThresholds thresholds)
    {
        var (rankP, u) = RankTest.CandidateSlowerP(candidateMs, baselineMs);
        var candidate = candidateMs.Order().ToArray();
        var baseline = baselineMs.Order().ToArray();
        var (c50, b50) = (Quantiles.OfSorted(candidate, 0.5), Quantiles.OfSorted(baseline, 0.5));
        var (c95, b95) = (Quantiles.OfSorted(candidate, 0.95), Quantiles.OfSorted(baseline, 0.95));
        var tailP = baseline.Length == 0 ? 1
            : ProportionTest.CandidateWorseP(candidate.LongCount(d => d > b95), candidate.Length, baseline.LongCount(d => d > b95), baseline.Length);
        var floor = thresholds.LatencyShift / 2;
        var floorMs = thresholds.LatencyShiftMs / 2;
        // Each shift is measured against both floors at once, and needs its own test to be significant.
        var slowerBody = rankP < thresholds.Alpha && Shift(c50, b50) >= floor && c50 - b50 >= floorMs;
        // A p95 of fewer requests than a pass needs is a handful of stragglers: the tail is judged from there on.
        var slowerTail = candidate.Length >= thresholds.MinRequests && tailP < thresholds.Alpha && Shift(c95, b95) >= floor && c95 - b95 >= floorMs;
        var p = slowerTail && !slowerBody ? tailP : rankP;
        var relative = Math.Max(Shift(c50, b50), Shift(c95, b95));
        var outcome = slowerBody || slowerTail ? CheckOutcome.Fail
            : candidate.Length >= thresholds.MinRequests && baseline.Length >= thresholds.MinRequests ? CheckOutcome.Pass
            : CheckOutcome.Insufficient;
        var sentence = string.Create(CultureInfo.InvariantCulture,
            $"{group} latency: median {c50:0} ms vs {b50:0} ms, p95 {c95:0} ms vs {b95:0} ms on {candidateRelease} vs {baselineRelease} ({candidate.Length:N0} vs {baseline.Length:N0} requests); {ErrorCheck.PValue(p)}; {ErrorCheck.Verb(outcome)}");
        return new CheckResult(Name, group, outcome, candidate.Length, baseline.Length, double.IsFinite(relative) ? relative : 0, u, p, floor, sentence);
    }

    private static double Shift(double candidate, double baseline) =>
        double.IsNaN(candidate) || double.IsNaN(baseline) ? double.NaN : baseline <= 0 ? (candidate > 0 ? double.PositiveInfinity : 0) : candidate / baseline - 1;
}
