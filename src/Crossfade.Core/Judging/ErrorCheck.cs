using System.Globalization;

namespace Crossfade.Core.Judging;

/// <summary>Compares the candidate's share of 5xx answers in a route group with the baseline's (Fisher's exact test).</summary>
public static class ErrorCheck
{
    public const string Name = "errors";

    /// <summary>Compares one route group's (or all routes') errors; <paramref name="errors"/> names what counts as one in the sentence ("5xx", or "4xx/5xx").</summary>
    public static CheckResult Compare(
        string group, long candidateErrors, long candidateTotal, long baselineErrors, long baselineTotal,
        string candidateRelease, string baselineRelease, JudgeThresholds thresholds, string errors = "5xx")
    {
        var p = ProportionTest.CandidateWorseP(candidateErrors, candidateTotal, baselineErrors, baselineTotal);
        var candidateRate = candidateTotal == 0 ? 0 : (double)candidateErrors / candidateTotal;
        var baselineRate = baselineTotal == 0 ? 0 : (double)baselineErrors / baselineTotal;
        var increase = candidateRate - baselineRate;
        var floor = thresholds.ErrorIncrease / 2;
        var outcome = p < thresholds.Alpha && increase >= floor ? CheckOutcome.Fail
            // A pass needs evidence on both sides (a route only the candidate serves is not "not worse"),
            // and enough of it that a rise of the size to catch would have shown: the rise's upper bound
            // is under it.
            : candidateTotal >= thresholds.MinRequests && baselineTotal >= thresholds.MinRequests
              && UpperBoundOfRise(candidateErrors, candidateTotal, baselineErrors, baselineTotal) < thresholds.ErrorIncrease ? CheckOutcome.Pass
            : CheckOutcome.Insufficient;
        var sentence = string.Create(CultureInfo.InvariantCulture,
            $"{group} {errors}: {candidateErrors:N0} of {candidateTotal:N0} on {candidateRelease} ({Percent(candidateRate)}) vs {baselineErrors:N0} of {baselineTotal:N0} on {baselineRelease} ({Percent(baselineRate)}); {PValue(p)}; {Verb(outcome)}");
        return new CheckResult(Name, group, outcome, candidateTotal, baselineTotal, increase, candidateErrors, p, floor, sentence);
    }

    /// <summary>
    /// The one-sided 95% upper bound of the rise in the 5xx share (normal approximation; each share
    /// counted as if one more request had failed and one passed, so no errors at all still leaves doubt).
    /// </summary>
    public static double UpperBoundOfRise(long candidateErrors, long candidateTotal, long baselineErrors, long baselineTotal)
    {
        var c = (candidateErrors + 1.0) / (candidateTotal + 2.0);
        var b = (baselineErrors + 1.0) / (baselineTotal + 2.0);
        var se = Math.Sqrt(c * (1 - c) / (candidateTotal + 2.0) + b * (1 - b) / (baselineTotal + 2.0));
        return (double)candidateErrors / Math.Max(1, candidateTotal) - (double)baselineErrors / Math.Max(1, baselineTotal) + 1.645 * se;
    }

    private static string Percent(double rate) => rate.ToString(rate is > 0 and < 0.001 ? "0.00#%" : "0.0#%", CultureInfo.InvariantCulture);

    internal static string PValue(double p) => p < 0.001 ? "p < 0.001" : string.Create(CultureInfo.InvariantCulture, $"p = {p:0.000}");

    internal static string Verb(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Fail => "fails",
        CheckOutcome.Pass => "passes",
        _ => "too few requests to tell",
    };
}
