using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;

namespace Crossfade.Server.Deploys;

/// <summary>A request to deploy or roll back, from any trigger (CLI, API, later SCM hooks).</summary>
public sealed record DeployRequest(
    string App, string Environment, DeployKind Kind, string? Version, string RequestedBy, string Trigger, string? IdempotencyKey, bool Queue = false, CanarySpec? Canary = null);

/// <summary>The answer to a deploy request: the deploy, or an HTTP status and the reason it was refused.</summary>
public sealed record DeployStart(Storage.DeployRecord? Deploy, int Status, string? Refusal, Storage.DeployRecord? Holder = null, IReadOnlyList<Contracts.V1.SpecErrorView>? Errors = null);
