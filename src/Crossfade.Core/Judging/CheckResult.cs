namespace Crossfade.Core.Judging;

/// <summary>
/// One comparison, recorded whole: which check on which route group, what it found, its counts, the
/// effect, the statistic and p-value, the threshold, and a sentence a person reads on the timeline.
/// </summary>
public sealed record CheckResult(
    string Check, string Group, CheckOutcome Outcome, long CandidateCount, long BaselineCount,
    double Effect, double Statistic, double P, double Threshold, string Sentence);
