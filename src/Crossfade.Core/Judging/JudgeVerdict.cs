namespace Crossfade.Core.Judging;

/// <summary>One look of the judge: its outcome, every check it ran, and one sentence that says why.</summary>
public sealed record JudgeVerdict(CheckOutcome Outcome, IReadOnlyList<CheckResult> Checks, string Summary, long CandidateRequests, long BaselineRequests);
