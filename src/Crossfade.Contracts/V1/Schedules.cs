namespace Crossfade.Contracts.V1;

/// <summary>
/// A deploy to run later: <paramref name="At"/> is an ISO 8601 time, or "quiet" for the start of the next
/// quietest hour of the environment's traffic (its last four weeks).
/// </summary>
public sealed record ScheduleDeployRequest(string Environment, string Version, string At, string? Canary = null, int? CanaryHoldSeconds = null);

/// <summary>
/// A scheduled deploy: pending until its time; waiting while a freeze holds its environment; started (with
/// its deploy), failed (refused when its time came, with why) or canceled.
/// </summary>
public sealed record ScheduleView(
    long Id, string App, string Environment, string Version, DateTimeOffset RunAt, bool Quiet, string State, long? DeployId, string? Reason,
    string RequestedBy, DateTimeOffset CreatedAt, string? Canary);

/// <summary>The states of a scheduled deploy.</summary>
public static class ScheduleStates
{
    public const string Pending = "pending";
    public const string Waiting = "waiting";
    public const string Starting = "starting";
    public const string Started = "started";
    public const string Failed = "failed";
    public const string Canceled = "canceled";

    /// <summary>The states in which a schedule is still to run.</summary>
    public static readonly IReadOnlyList<string> Open = [Pending, Waiting, Starting];
}
