namespace Crossfade.Contracts.V1;

/// <summary>Asks the server to deploy a release of an app to one environment.</summary>
/// <remarks>
/// <paramref name="Canary"/> switches that many web hosts ("1") or that share of them ("25%") first; they
/// hold for <paramref name="CanaryHoldSeconds"/>, or until promoted when that is null.
/// </remarks>
public sealed record StartDeployRequest(string Environment, string Version, string? Canary = null, int? CanaryHoldSeconds = null, string? OverrideFreeze = null);

/// <summary>Asks the server to roll an environment back to the release before the live one.</summary>
public sealed record StartRollbackRequest(string Environment);

/// <summary>Deploys to <paramref name="To"/> the very release (same archive, same hash) that succeeded in <paramref name="From"/>.</summary>
public sealed record PromoteReleaseRequest(string Version, string From, string To, string? Canary = null, int? CanaryHoldSeconds = null, string? OverrideFreeze = null);

/// <summary>Asks for a converge of the live release's configuration outside a deploy; with WhyRun, nothing changes.</summary>
public sealed record StartConvergeRequest(string Environment, bool WhyRun = false, string? OverrideFreeze = null);

/// <summary>A deploy (or rollback) and where it stands.</summary>
public sealed record DeployView(
    long Id,
    string App,
    string Environment,
    DeployKind Kind,
    string Version,
    string? FromVersion,
    DeployState State,
    string RequestedBy,
    string Trigger,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    string? Reason,
    IReadOnlyList<PhaseView> Phases,
    IReadOnlyList<StepView> Steps,
    string? Commit = null,
    string? Message = null,
    string? Canary = null,
    IReadOnlyList<JudgeVerdictView>? Verdicts = null);

/// <summary>A phase of a deploy with its timing.</summary>
public sealed record PhaseView(DeployState Name, DateTimeOffset StartedAt, DateTimeOffset? EndedAt);

/// <summary>One step of a deploy on one host.</summary>
public sealed record StepView(
    long Id,
    string Host,
    StepKind Kind,
    StepStatus Status,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? Message,
    ConvergeReport? Converge = null);

/// <summary>A line of a deploy's output, with the host and step it came from and its cursor.</summary>
public sealed record DeployLogLine(long Seq, string Host, StepKind Step, DateTimeOffset At, string Line);

/// <summary>A line of a step's output, with when the agent saw it.</summary>
public sealed record StepLogLine(DateTimeOffset At, string Line);

/// <summary>What an environment of an app is running now.</summary>
public sealed record StatusView(
    string App,
    string Environment,
    string? Version,
    long? LastDeployId,
    DeployState? LastDeployState,
    IReadOnlyList<HostStatusView> Hosts);

/// <summary>
/// One host of an environment as its agent last reported it: online, its release, and its agent's version
/// (<paramref name="AgentOutdated"/> when older than the server's: <c>crossfade host upgrade</c>).
/// </summary>
public sealed record HostStatusView(
    string Name,
    IReadOnlyList<string> Roles,
    bool Online,
    DateTimeOffset? LastSeen,
    string? Release,
    string? AgentVersion = null,
    bool AgentOutdated = false,
    string? BinarySha256 = null,
    bool UpgradePending = false);
