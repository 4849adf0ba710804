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
        var overridden = false;
        if (request.Kind != DeployKind.WhyRun)
        {
            var (frozen, overrode) = await FrozenAsync(request, environment, ct);
            if (frozen is not null)
                return frozen;
            overridden = overrode;
        }
        if (request.Kind == DeployKind.Deploy)
        {
            foreach (var required in environment.RequiredBefore)
            {
                if (!await store.SucceededInAsync(request.App, required, version, ct))
                    return GateDecision.Refuse(409,
                        $"'{environment.Name}' requires a release to have succeeded in '{required}' first, and {version} has not: deploy it there, then promote it with 'crossfade promote-release {request.App} --version {version} --from {required} --to {environment.Name}'");
            }
        }
        return GateDecision.Allow(overridden ? $"freeze overridden by {request.RequestedBy}: {request.OverrideFreeze}" : null);
    }

    /// <summary>The freeze holding an environment at <paramref name="now"/> (the one ending last when several do) and its end; null when none holds.</summary>
    public static async Task<(Freeze Freeze, DateTimeOffset Until)?> HoldingAsync(IStore store, string app, string environment, DateTimeOffset now, CancellationToken ct)
    {
        var holding = (await store.ListFreezesAsync(app, ct))
            .Where(f => f.Environment == environment)
            .Select(f => (Freeze: f, Until: f.HoldsUntil(now)))
            .Where(f => f.Until is not null)
            .OrderByDescending(f => f.Until)
            .FirstOrDefault();
        return holding.Freeze is null ? null : (holding.Freeze, holding.Until!.Value);
    }

    /// <summary>The words that say an environment is frozen: until when, which freeze, why.</summary>
    public static string Describe(string environment, Freeze freeze, DateTimeOffset until) =>
        $"'{environment}' is frozen until {until:yyyy-MM-dd HH:mm}Z (freeze #{freeze.Id}, {freeze.Window}: {freeze.Reason})";

    /// <summary>The freeze holding the environment now, as a decision (refused, or waiting), or none; and whether an admin overrode one.</summary>
    private async Task<(GateDecision? Decision, bool Overridden)> FrozenAsync(DeployRequest request, EnvironmentSpec environment, CancellationToken ct)
    {
        if (await HoldingAsync(store, request.App, environment.Name, time.GetUtcNow(), ct) is not { } holding)
            return (request.OverrideFreeze is null ? null : GateDecision.Refuse(400, $"'{environment.Name}' is not frozen: there is no freeze to override"), false);
        var (freeze, until) = holding;
        // Going back reduces risk: a rollback passes a freeze.
        if (request.Kind == DeployKind.Rollback)
            return (null, false);
        var what = Describe(environment.Name, freeze, until);
        if (request.OverrideFreeze is { } reason)
        {
            if (string.IsNullOrWhiteSpace(reason))
                return (GateDecision.Refuse(400, "overriding a freeze needs a reason"), false);
            return new Caller(request.RequestedBy, request.Role).AtLeast(Roles.Admin)
                ? (null, true)
                : (GateDecision.Refuse(403, $"{what}; only an admin may override a freeze, and '{request.RequestedBy}' has '{request.Role}'"), false);
        }
        if (Unattended.Contains(request.Trigger) && environment.DuringFreeze == FreezePolicy.Queue)
            return (GateDecision.Wait(until, $"{what}; it starts when the freeze ends"), false);
        return (GateDecision.Refuse(423, $"{what}; an admin may override it with a reason (--override-freeze \"why\")"), false);
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
