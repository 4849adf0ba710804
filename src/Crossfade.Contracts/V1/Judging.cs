using System.Text.Json.Serialization;

namespace Crossfade.Contracts.V1;

/// <summary>What the judge found in a look at a window. Lower case on the wire and in the store.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JudgeOutcome>))]
public enum JudgeOutcome
{
    /// <summary>Enough evidence that the new release is not worse on any check.</summary>
    [JsonStringEnumMemberName("pass")]
    Pass,

    /// <summary>The new release is clearly worse on a check.</summary>
    [JsonStringEnumMemberName("fail")]
    Fail,

    /// <summary>Too few requests to tell yet.</summary>
    [JsonStringEnumMemberName("insufficient")]
    Insufficient,
}

/// <summary>
/// A verdict of the judge on a deploy: when, in which phase, what it found, what was done about it
/// (or, in observe mode, what would have been), and every check behind it.
/// </summary>
public sealed record JudgeVerdictView(
    DateTimeOffset At,
    DeployState Phase,
    JudgeOutcome Outcome,
    string Action,
    bool Final,
    string Summary,
    long CandidateRequests,
    long BaselineRequests,
    IReadOnlyList<JudgeCheckView> Checks,
    bool Enforced);

/// <summary>One check of a verdict, on one route group: counts, effect, statistic, p-value, threshold and a sentence.</summary>
public sealed record JudgeCheckView(
    string Check, string Group, JudgeOutcome Outcome, long CandidateCount, long BaselineCount,
    double Effect, double Statistic, double P, double Threshold, string Sentence);

/// <summary>How the judge did on an app's recent deploys, for trusting it before it acts (<c>crossfade judge-record</c>).</summary>
public sealed record JudgeRecordView(string App, string Environment, IReadOnlyList<JudgedDeployView> Deploys);

/// <summary>
/// One judged deploy: the judge's last verdict, what it did or would have done, and whether the team
/// rolled the release back by hand later (<paramref name="RolledBackByHand"/>) — the check of an observe-mode judge.
/// </summary>
public sealed record JudgedDeployView(
    long DeployId, string Version, string? FromVersion, DeployState State, DateTimeOffset CreatedAt,
    JudgeOutcome Outcome, string Action, bool Enforced, string Summary, bool RolledBackByHand);
