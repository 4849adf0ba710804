using Crossfade.Contracts.V1;

namespace Crossfade.Server.Storage;

/// <summary>A verdict of the judge as stored: its checks as JSON (<see cref="JudgeCheckView"/>s), and whether it was enforced or only observed.</summary>
public sealed record VerdictRecord(
    long Id, long DeployId, DateTimeOffset At, DeployState Phase, JudgeOutcome Outcome, string Action, bool Final,
    string Summary, long CandidateRequests, long BaselineRequests, string ChecksJson, bool Enforced);

/// <summary>One request as the judge reads it: its stored id, when (Unix milliseconds), which release served it, its route group, status and duration.</summary>
public sealed record JudgedRequest(long Id, long At, string Release, string Route, long Status, double Ms);
