using System.Globalization;
using Crossfade.Core.Specs;

namespace Crossfade.Core.Judging;

/// <summary>
/// One look of the judge at a window: every check, and the verdict they make. A single failing check
/// fails the candidate, at any time. A pass needs the window's minimum time and requests, and the
/// errors and latency of all its traffic to pass; a route group with too few requests to tell is
/// reported and does not hold the verdict back, but one that fails fails it. Each comparison's
/// significance is divided among the comparisons of the look (Bonferroni), so judging many route
/// groups does not make a false alarm more likely.
/// </summary>
public static class JudgeLook
{
    /// <summary>The group name of the checks over every route at once.</summary>
    public const string AllRoutes = "all routes";

    public static JudgeVerdict Decide(JudgeEvidence evidence, JudgeSpec spec)
    {
        var (candidate, baseline) = (evidence.Candidate, evidence.Baseline);
        // Every route group the candidate served, and all routes together.
        var groups = candidate.Groups.Keys.Order(StringComparer.Ordinal).ToList();
        // Three tests a group (errors; latency's body and tail), over all routes too.
        var comparisons = 3 * (groups.Count > 1 ? groups.Count + 1 : 1);
        var thresholds = spec.Thresholds with { Alpha = spec.Thresholds.Alpha / comparisons };
        var checks = new List<CheckResult>(InstantChecks.Of(evidence, spec));
        var errors = spec.Count4xx ? "4xx/5xx" : "5xx";
        var overallErrors = ErrorCheck.Compare(AllRoutes, candidate.All.Errors, candidate.Total, baseline.All.Errors, baseline.Total,
            candidate.Release, baseline.Release, thresholds, errors);
        var overallLatency = LatencyCheck.Compare(AllRoutes, candidate.All.Ms, baseline.All.Ms, candidate.Release, baseline.Release, thresholds);
        checks.Add(overallErrors);
        checks.Add(overallLatency);
        if (groups.Count > 1)
            foreach (var group in groups)
            {
                var c = candidate.Groups[group];
                // A route only the candidate serves (a new page) is held to the baseline's routes together.
                var b = baseline.Groups.GetValueOrDefault(group) ?? baseline.All;
                checks.Add(ErrorCheck.Compare(group, c.Errors, c.Total, b.Errors, b.Total, candidate.Release, baseline.Release, thresholds, errors));
                checks.Add(LatencyCheck.Compare(group, c.Ms, b.Ms, candidate.Release, baseline.Release, thresholds));
            }
        var outcome = Outcome(evidence, spec, checks, overallErrors, overallLatency);
        return new JudgeVerdict(outcome, checks, Summary(evidence, spec, checks, outcome), candidate.Total, baseline.Total);
    }

    private static CheckOutcome Outcome(JudgeEvidence evidence, JudgeSpec spec, List<CheckResult> checks, CheckResult errors, CheckResult latency)
    {
        if (checks.Any(c => c.Outcome == CheckOutcome.Fail))
            return CheckOutcome.Fail;
        var enough = evidence.Elapsed >= TimeSpan.FromSeconds(spec.MinSeconds) && evidence.Candidate.Total >= spec.Thresholds.MinRequests;
        var limitsKnown = checks.Where(c => c.Check is InstantChecks.ErrorLimit or InstantChecks.P95Limit).All(c => c.Outcome == CheckOutcome.Pass);
        return enough && limitsKnown && errors.Outcome == CheckOutcome.Pass && latency.Outcome == CheckOutcome.Pass
            ? CheckOutcome.Pass
            : CheckOutcome.Insufficient;
    }

    private static string Summary(JudgeEvidence evidence, JudgeSpec spec, List<CheckResult> checks, CheckOutcome outcome)
    {
        var (candidate, baseline) = (evidence.Candidate, evidence.Baseline);
        var seconds = (int)evidence.Elapsed.TotalSeconds;
        return outcome switch
        {
            // The most telling first: an instant check, then a route group, then all routes together.
            CheckOutcome.Fail => string.Join("; and ", checks.Where(c => c.Outcome == CheckOutcome.Fail)
                .OrderBy(c => c.Group == AllRoutes ? 1 : 0).Take(2).Select(c => c.Sentence)),
            CheckOutcome.Pass => string.Create(CultureInfo.InvariantCulture,
                $"{candidate.Release} is not worse than {baseline.Release}: {checks.Count} checks over {candidate.Total:N0} vs {baseline.Total:N0} requests in {seconds} s"),
            _ => string.Create(CultureInfo.InvariantCulture,
                $"too few requests to tell yet: {candidate.Total:N0} on {candidate.Release} (a pass needs {spec.Thresholds.MinRequests:N0} and {spec.MinSeconds} s, and enough to rule out a regression) vs {baseline.Total:N0} on {baseline.Release} after {seconds} s"),
        };
    }
}
