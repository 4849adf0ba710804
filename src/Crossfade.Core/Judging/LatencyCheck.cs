using System.Globalization;

namespace Crossfade.Core.Judging;

/// <summary>
/// Compares the candidate's request durations in a route group with the baseline's: the rank test says
/// whether they are longer at all, the shift of the median or the p95 says whether by enough to matter.
/// </summary>
public static class LatencyCheck
{
    public const string Name = "latency";

    public static CheckResult Compare(
        string group, IReadOnlyList<double> candidateMs, IReadOnlyList<double> baselineMs,
        string candidateRelease, string baselineRelease, JudgeThresholds thresholds)
    {
        var (p, u) = RankTest.CandidateSlowerP(candidateMs, baselineMs);
        var candidate = candidateMs.Order().ToArray();
        var baseline = baselineMs.Order().ToArray();
        var (c50, b50) = (Quantiles.OfSorted(candidate, 0.5), Quantiles.OfSorted(baseline, 0.5));
        var (c95, b95) = (Quantiles.OfSorted(candidate, 0.95), Quantiles.OfSorted(baseline, 0.95));
        // The shift that counts is the larger of the two, each measured against both floors at once.
        var relative = Math.Max(Shift(c50, b50), Shift(c95, b95));
        var floor = thresholds.LatencyShift / 2;
        var floorMs = thresholds.LatencyShiftMs / 2;
        var large = (Shift(c50, b50) >= floor && c50 - b50 >= floorMs) || (Shift(c95, b95) >= floor && c95 - b95 >= floorMs);
        var outcome = p < thresholds.Alpha && large ? CheckOutcome.Fail
            : candidate.Length >= thresholds.MinRequests ? CheckOutcome.Pass
            : CheckOutcome.Insufficient;
        var sentence = string.Create(CultureInfo.InvariantCulture,
            $"{group} latency: median {c50:0} ms vs {b50:0} ms, p95 {c95:0} ms vs {b95:0} ms on {candidateRelease} vs {baselineRelease} ({candidate.Length:N0} vs {baseline.Length:N0} requests); {ErrorCheck.PValue(p)}; {ErrorCheck.Verb(outcome)}");
        return new CheckResult(Name, group, outcome, candidate.Length, baseline.Length, double.IsNaN(relative) ? 0 : relative, u, p, floor, sentence);
    }

    private static double Shift(double candidate, double baseline) =>
        double.IsNaN(candidate) || double.IsNaN(baseline) ? double.NaN : baseline <= 0 ? (candidate > 0 ? double.PositiveInfinity : 0) : candidate / baseline - 1;
}
