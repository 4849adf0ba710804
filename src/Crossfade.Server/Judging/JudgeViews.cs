using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Judging;
using Crossfade.Server.Api;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Judging;

/// <summary>The judge's results as the API, the store and the timeline show them.</summary>
public static class JudgeViews
{
    public static JudgeOutcome Of(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => JudgeOutcome.Pass,
        CheckOutcome.Fail => JudgeOutcome.Fail,
        _ => JudgeOutcome.Insufficient,
    };

    /// <summary>A check as shown; a figure with no value (no test ran) shows as 0, a p-value with none as 1.</summary>
    public static JudgeCheckView Of(CheckResult c) => new(c.Check, c.Group, Of(c.Outcome), c.CandidateCount, c.BaselineCount,
        Finite(c.Effect, 0), Finite(c.Statistic, 0), Finite(c.P, 1), Finite(c.Threshold, 0), c.Sentence);

    public static string ChecksJson(IReadOnlyList<JudgeCheckView> checks) => JsonSerializer.Serialize(checks, JsonBody.Options);

    public static JudgeVerdictView Of(VerdictRecord v) => new(v.At, v.Phase, v.Outcome, v.Action, v.Final, v.Summary,
        v.CandidateRequests, v.BaselineRequests, JsonSerializer.Deserialize<List<JudgeCheckView>>(v.ChecksJson, JsonBody.Options) ?? [], v.Enforced);

    private static double Finite(double value, double otherwise) => double.IsFinite(value) ? value : otherwise;
}
