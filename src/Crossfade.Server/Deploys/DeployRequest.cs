using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;

namespace Crossfade.Server.Deploys;

/// <summary>
/// A request to deploy, roll back or converge, from any trigger (CLI, API, dashboard button, schedule,
/// webhook): who asks and with which role, and — for an admin only — why a freeze is overridden.
/// </summary>
public sealed record DeployRequest(
    string App, string Environment, DeployKind Kind, string? Version, string RequestedBy, string Role, string Trigger, string? IdempotencyKey,
    bool Queue = false, CanarySpec? Canary = null, string? OverrideFreeze = null);

/// <summary>The answer to a deploy request: the deploy, or an HTTP status and the reason it was refused.</summary>
public sealed record DeployStart(
    Storage.DeployRecord? Deploy, int Status, string? Refusal, Storage.DeployRecord? Holder = null, IReadOnlyList<Contracts.V1.SpecErrorView>? Errors = null,
    DateTimeOffset? WaitUntil = null);
