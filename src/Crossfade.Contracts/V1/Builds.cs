namespace Crossfade.Contracts.V1;

/// <summary>A build by hand: a branch, tag or commit; with an environment, what it makes is deployed there.</summary>
public sealed record StartBuildRequest(string Ref, string? Environment = null);

/// <summary>
/// A build from source: its ref and commit, state, the release it made and the deploy it started (or why not),
/// and the builder host it ran on (none: the server built it).
/// </summary>
public sealed record BuildView(
    long Id, string App, string Ref, string? Sha, string? Environment, string State, string? Version, string? Message,
    string RequestedBy, string Trigger, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long? DeployId, string? Reason,
    string? Host = null);

/// <summary>A line of a build's output.</summary>
public sealed record BuildLogLine(long Seq, DateTimeOffset At, string Line);

/// <summary>A webhook secret, shown once when it is made.</summary>
public sealed record HookSecretView(string App, string Secret, IReadOnlyList<string> Urls);

/// <summary>
/// A build handed to a host with the <c>builder</c> role: what to fetch, which ref (and, for a push, which
/// commit), the command, the folder it leaves the release in, and how long it may take.
/// </summary>
public sealed record BuildWork(long BuildId, string App, string Ref, string? Sha, string Repository, string Command, string Output, int TimeoutSeconds);

/// <summary>Output lines of a build running on a builder host.</summary>
public sealed record BuildLogBatch(IReadOnlyList<string> Lines);

/// <summary>
/// How a build on a builder host ended: the commit it built and its subject, and either the SHA-256 of the
/// archive it sent before this (made) or why not (<paramref name="Superseded"/> when the branch moved on).
/// </summary>
public sealed record BuildResult(bool Succeeded, string? Failure, bool Superseded, string? Sha, string? Message, string? ArchiveSha256);
