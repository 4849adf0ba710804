namespace Crossfade.Core.Judging;

/// <summary>
/// What the judge has seen of a window so far: both releases' requests since the warm-up, the errors
/// the candidate logged, and what became of its instances.
/// </summary>
/// <param name="Candidate">The new release's requests, by route group.</param>
/// <param name="Baseline">The old release's requests over the same time, on the same hosts.</param>
/// <param name="Elapsed">How long the window has run (from the split's start).</param>
/// <param name="LoggedErrors">Errors the candidate logged, by fingerprint, each with whether the baseline ever logged it.</param>
/// <param name="InstanceProblems">Candidate instances that stopped running or failed a critical path.</param>
public sealed record JudgeEvidence(
    ReleaseTraffic Candidate,
    ReleaseTraffic Baseline,
    TimeSpan Elapsed,
    IReadOnlyList<LoggedError> LoggedErrors,
    IReadOnlyList<InstanceProblem> InstanceProblems);

/// <summary>An error the candidate logged: its fingerprint, message, how often, and whether the baseline is known to log it too.</summary>
public sealed record LoggedError(string Fingerprint, string Message, long Count, bool KnownFromBaseline);

/// <summary>A candidate instance on a host that exited (<paramref name="Crashed"/>) or failed a critical path.</summary>
public sealed record InstanceProblem(string Host, bool Crashed, string Message);
