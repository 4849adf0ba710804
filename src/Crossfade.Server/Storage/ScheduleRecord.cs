namespace Crossfade.Server.Storage;

/// <summary>A deploy scheduled for later, as stored; <paramref name="Role"/> is its requester's, checked again when it runs.</summary>
public sealed record ScheduleRecord(
    long Id, string App, string Environment, string Version, string? Canary, int? CanaryHoldSeconds, DateTimeOffset RunAt, bool Quiet,
    string RequestedBy, string Role, DateTimeOffset CreatedAt, string State, long? DeployId, string? Reason);
