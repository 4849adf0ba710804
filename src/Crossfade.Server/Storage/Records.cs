using Crossfade.Contracts.V1;

namespace Crossfade.Server.Storage;

/// <summary>An app row: its name and the spec text it was applied with.</summary>
public sealed record AppRecord(string Name, string SpecYaml, DateTimeOffset UpdatedAt);

/// <summary>A stored release artifact.</summary>
public sealed record ReleaseRecord(
    string App, string Version, string Sha256, long SizeBytes, string? Commit, string? Message, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>An enrolled host.</summary>
/// <remarks>
/// <paramref name="Rid"/> and <paramref name="BinarySha256"/> are the platform and hash of the binary the agent
/// runs, as it reports them; <paramref name="UpgradeWanted"/> says an admin asked it to take the server's.
/// </remarks>
public sealed record HostRecord(
    string Name, IReadOnlyList<string> Roles, DateTimeOffset EnrolledAt, DateTimeOffset? LastSeen, string LiveReleasesJson, string InstancesJson = "[]", string? AgentVersion = null,
    string? Rid = null, string? BinarySha256 = null, bool UpgradeWanted = false);

/// <summary>A deploy row.</summary>
public sealed record DeployRecord(
    long Id, string App, string Environment, DeployKind Kind, string Version, string? FromVersion, DeployState State,
    string RequestedBy, string Trigger, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, string? Reason, string? Owner = null,
    string? Canary = null, int? CanaryHoldSeconds = null, string? ConfigJson = null);

/// <summary>A phase of a deploy with its timing.</summary>
public sealed record PhaseRecord(long DeployId, DeployState Name, DateTimeOffset StartedAt, DateTimeOffset? EndedAt);

/// <summary>A step of a deploy on one host.</summary>
public sealed record StepRecord(
    long Id, long DeployId, string Host, StepKind Kind, string PayloadJson, StepStatus Status,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Message, string? ReportJson = null);

/// <summary>
/// A secret of an app, encrypted with the server's Data Protection keys. <see cref="Environment"/> is
/// empty for a value every environment shares; an environment's own value wins over it.
/// </summary>
public sealed record SecretRecord(string App, string Environment, string Name, string Ciphertext, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>A token: who holds it and what it may do. Only the hash of the secret is stored.</summary>
public sealed record TokenRecord(string Hash, string Name, string Role, DateTimeOffset CreatedAt);

