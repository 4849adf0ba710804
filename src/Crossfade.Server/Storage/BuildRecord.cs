namespace Crossfade.Server.Storage;

/// <summary>
/// A build from source as stored: the ref and (once known) the commit, the environment it deploys to
/// (none for a build by hand without one), its state, the release version it made, the deploy it started, and
/// the builder host it was handed to (none: the server ran it).
/// </summary>
public sealed record BuildRecord(
    long Id, string App, string Ref, string? Sha, string? Environment, string State, string? Version, string? Message,
    string RequestedBy, string Trigger, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt = null, DateTimeOffset? FinishedAt = null,
    long? DeployId = null, string? Reason = null, string? Host = null);

/// <summary>The states of a build.</summary>
public static class BuildStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Superseded = "superseded";

    public static bool IsFinished(string state) => state is Succeeded or Failed or Superseded;
}
