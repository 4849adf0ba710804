namespace Crossfade.Core.Judging;

/// <summary>The judge's decision from its checks: one failing check fails the release; a pass needs every check to pass.</summary>
public static class Verdict
{
    public static CheckOutcome Of(IEnumerable<CheckResult> checks)
    {
        var outcomes = checks.Select(c => c.Outcome).ToList();
        return outcomes.Contains(CheckOutcome.Fail) ? CheckOutcome.Fail
            : outcomes.Count > 0 && outcomes.All(o => o == CheckOutcome.Pass) ? CheckOutcome.Pass
            : CheckOutcome.Insufficient;
    }
}
