using System.Globalization;
using Crossfade.Core.Specs;

namespace Crossfade.Core.Judging;

/// <summary>
/// The checks that fail a candidate on one sighting, without a comparison: an instance that exited, a
/// critical path that failed, an error the old release never logged, a limit no release may pass.
/// </summary>
public static class InstantChecks
{
    public const string Crash = "crash";
    public const string CriticalPath = "critical-path";
    public const string NewError = "new-error";
    public const string ErrorLimit = "error-limit";
    public const string P95Limit = "p95-limit";

    public static IEnumerable<CheckResult> Of(JudgeEvidence evidence, JudgeSpec spec)
    {
        var release = evidence.Candidate.Release;
        foreach (var problem in evidence.InstanceProblems)
            yield return Failed(problem.Crashed ? Crash : CriticalPath, problem.Host, $"{problem.Host}: {problem.Message}; fails");
        foreach (var error in evidence.LoggedErrors.Where(e => !e.KnownFromBaseline && e.Count >= spec.NewErrorMin))
            yield return new CheckResult(NewError, error.Fingerprint, CheckOutcome.Fail, error.Count, 0, error.Count, error.Count, 0, spec.NewErrorMin,
                string.Create(CultureInfo.InvariantCulture,
                    $"new error on {release}, logged {error.Count:N0} times and never by {evidence.Baseline.Release}: {Shorten(error.Message)}; fails"));
        var all = evidence.Candidate.All;
        if (spec.MaxErrorRate is { } limit && all.Total > 0)
            yield return ErrorRateLimit(all, limit, release, spec.Thresholds);
        if (spec.MaxP95Ms is { } p95Limit && all.Total > 0)
            yield return LatencyLimit(all, p95Limit, release, spec.Thresholds);
    }

    /// <summary>Fails when the candidate's error share is above the limit, surely so (a one-sided test against the limit).</summary>
    private static CheckResult ErrorRateLimit(GroupTraffic all, double limit, string release, JudgeThresholds thresholds)
    {
        var rate = (double)all.Errors / all.Total;
        var z = (rate - limit) / Math.Sqrt(limit * (1 - limit) / all.Total);
        var p = NormalDistribution.UpperTail(z);
        var outcome = p < thresholds.Alpha && rate > limit ? CheckOutcome.Fail
            : all.Total >= thresholds.MinRequests ? CheckOutcome.Pass
            : CheckOutcome.Insufficient;
        return new CheckResult(ErrorLimit, JudgeLook.AllRoutes, outcome, all.Total, 0, rate, z, p, limit, string.Create(CultureInfo.InvariantCulture,
            $"{release} 5xx share {rate:0.0#%} of {all.Total:N0} requests against the limit {limit:0.0#%}; {ErrorCheck.PValue(p)}; {ErrorCheck.Verb(outcome)}"));
    }

    /// <summary>Fails when the candidate's p95 is over the limit once there are enough requests for a p95.</summary>
    private static CheckResult LatencyLimit(GroupTraffic all, int limitMs, string release, JudgeThresholds thresholds)
    {
        var p95 = Quantiles.OfSorted(all.Ms.Order().ToArray(), 0.95);
        var enough = all.Total >= thresholds.MinRequests;
        var outcome = !enough ? CheckOutcome.Insufficient : p95 > limitMs ? CheckOutcome.Fail : CheckOutcome.Pass;
        return new CheckResult(P95Limit, JudgeLook.AllRoutes, outcome, all.Total, 0, p95, p95, double.NaN, limitMs, string.Create(CultureInfo.InvariantCulture,
            $"{release} p95 {p95:0} ms over {all.Total:N0} requests against the limit {limitMs} ms; {ErrorCheck.Verb(outcome)}"));
    }

    private static CheckResult Failed(string check, string group, string sentence) =>
        new(check, group, CheckOutcome.Fail, 0, 0, 1, 0, 0, 0, sentence);

    private static string Shorten(string message) => message.Length <= 160 ? message : message[..157] + "...";
}
