using Crossfade.Contracts.V1;
using Crossfade.Core.Freezes;
using Crossfade.Core.Specs;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

/// <summary>
/// The one decision every trigger passes — CLI, API, dashboard button, schedule, webhook: the caller's
/// role, the environment's freezes and its promotion rule, checked in that order, with the reason of a
/// refusal in words. (The environment's lock, queue or refuse, is taken after it, as the deploy is created.)
/// </summary>
public sealed class DeployGate(IStore store, TimeProvider time)
{
    /// <summary>The triggers no person waits on: during a freeze their deploys wait if the environment says so.</summary>
    public static readonly IReadOnlySet<string> Unattended = new HashSet<string>(StringComparer.Ordinal) { "schedule", "webhook" };

    public async Task<GateDecision> DecideAsync(DeployRequest request, EnvironmentSpec environment, string version, CancellationToken ct)
    {
        if (!new Caller(request.RequestedBy, request.Role).AtLeast(Roles.Deployer))
            return GateDecision.Refuse(403, $"deploying needs the '{Roles.Deployer}' role; '{request.RequestedBy}' has '{request.Role}'");
        if (request.Kind != DeployKind.WhyRun && await FrozenAsync(request, environment, ct) is { } frozen)
            return frozen;
        if (request.Kind == DeployKind.Deploy)
        {
            foreach (var required in environment.RequiredBefore)
            {
                if (!await store.SucceededInAsync(request.App, required, version, ct))
                    return GateDecision.Refuse(409,
                        $"'{environment.Name}' requires a release to have succeeded in '{required}' first, and {version} has not: deploy it there, then promote it with 'crossfade promote-release {request.App} --version {version} --from {required} --to {environment.Name}'");
            }
        }
        return GateDecision.Allow(request.OverrideFreeze is null ? null : $"freeze overridden by {request.RequestedBy}: {request.OverrideFreeze}");
    }

    /// <summary>The freeze holding the environment now, as a decision: refused, waiting, or overridden (then null).</summary>
    private async Task<GateDecision?> FrozenAsync(DeployRequest request, EnvironmentSpec environment, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var holding = (await store.ListFreezesAsync(request.App, ct))
            .Where(f => f.Environment == environment.Name)
            .Select(f => (Freeze: f, Until: f.HoldsUntil(now)))
            .Where(f => f.Until is not null)
            .OrderByDescending(f => f.Until)
            .FirstOrDefault();
        if (holding.Freeze is null)
            return request.OverrideFreeze is null ? null : GateDecision.Refuse(400, $"'{environment.Name}' is not frozen: there is no freeze to override");
        // Going back reduces risk: a rollback passes a freeze.
        if (request.Kind == DeployKind.Rollback)
            return null;
        var freeze = holding.Freeze;
        var what = $"'{environment.Name}' is frozen until {holding.Until:yyyy-MM-dd HH:mm}Z (freeze #{freeze.Id}, {freeze.Window}: {freeze.Reason})";
        if (request.OverrideFreeze is { } reason)
        {
            if (string.IsNullOrWhiteSpace(reason))
                return GateDecision.Refuse(400, "overriding a freeze needs a reason");
            return new Caller(request.RequestedBy, request.Role).AtLeast(Roles.Admin)
                ? null
                : GateDecision.Refuse(403, $"{what}; only an admin may override a freeze, and '{request.RequestedBy}' has '{request.Role}'");
        }
        if (Unattended.Contains(request.Trigger) && environment.DuringFreeze == FreezePolicy.Queue)
            return GateDecision.Wait(holding.Until!.Value, $"{what}; it starts when the freeze ends");
        return GateDecision.Refuse(423, $"{what}; an admin may override it with a reason (--override-freeze \"why\")");
    }
}

/// <summary>The gate's answer: go (with a note, such as a freeze overridden), wait until a time, or refused with a status and why.</summary>
public sealed record GateDecision(GateOutcome Outcome, int Status, string? Reason, DateTimeOffset? WaitUntil = null)
{
    public static GateDecision Allow(string? note) => new(GateOutcome.Allowed, 202, note);

    public static GateDecision Refuse(int status, string reason) => new(GateOutcome.Refused, status, reason);

    public static GateDecision Wait(DateTimeOffset until, string reason) => new(GateOutcome.Waiting, 409, reason, until);
}

public enum GateOutcome
{
    Allowed,
    Waiting,
    Refused,
}
