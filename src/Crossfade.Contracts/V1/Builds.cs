namespace Crossfade.Contracts.V1;

/// <summary>A build by hand: a branch, tag or commit; with an environment, what it makes is deployed there.</summary>
public sealed record StartBuildRequest(string Ref, string? Environment = null);

/// <summary>A build from source: its ref and commit, state, the release it made and the deploy it started (or why not).</summary>
public sealed record BuildView(
    long Id, string App, string Ref, string? Sha, string? Environment, string State, string? Version, string? Message,
    string RequestedBy, string Trigger, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long? DeployId, string? Reason);

/// <summary>A line of a build's output.</summary>
public sealed record BuildLogLine(long Seq, DateTimeOffset At, string Line);

/// <summary>A webhook secret, shown once when it is made.</summary>
public sealed record HookSecretView(string App, string Secret, IReadOnlyList<string> Urls);
