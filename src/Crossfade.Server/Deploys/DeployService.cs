using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Core.Specs;
using System.Text.Json;
using Crossfade.Server.Api;
using Crossfade.Server.Config;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

/// <summary>
/// Accepts deploy requests: checks them before anything runs (app, environment, release, plan, hosts
/// online, one deploy per app and environment at a time) and hands accepted ones to the runner.
/// </summary>
public sealed class DeployService(
    IStore store, DeployRunner runner, ConfigService config, DeployGate gate, Events.Timeline timeline, TimeProvider time, ServerOptions options)
{
    public async Task<DeployStart> StartAsync(DeployRequest request, CancellationToken ct)
    {
        var app = await store.GetAppAsync(request.App, ct);
        if (app is null)
            return new DeployStart(null, 404, $"no app named '{request.App}'; register it with 'crossfade apply crossfade.yml'");
        var spec = AppSpecParser.Parse(app.SpecYaml).Spec!;
        var plan = DeployPlanner.Plan(spec, request.Environment, request.Kind, request.Canary);
        if (plan.Plan is null)
            return new DeployStart(null, 422, plan.Refusal);

        if (request.Kind == DeployKind.Rollback && await BakingDeployAsync(request, ct) is { } baking)
            return baking;
        var live = await store.GetLiveVersionAsync(request.App, request.Environment, ct);
        string version;
        if (request.Kind == DeployKind.Rollback)
        {
            var past = await store.ListPastLiveVersionsAsync(request.App, request.Environment, ct);
            var target = past.FirstOrDefault(v => v != live);
            if (target is null)
                return new DeployStart(null, 422, $"'{request.App}' in '{request.Environment}' has no earlier release to roll back to");
            version = target;
        }
        else if (request.Kind is DeployKind.Converge or DeployKind.WhyRun)
        {
            if (live is null)
                return new DeployStart(null, 422, $"nothing is live in '{request.Environment}' yet: the first deploy converges the configuration");
            version = live;
        }
        else
        {
            if (string.IsNullOrWhiteSpace(request.Version))
                return new DeployStart(null, 400, "'version' is required");
            version = request.Version;
        }
        if (await store.GetReleaseAsync(request.App, version, ct) is not { } release)
            return new DeployStart(null, 404, $"'{request.App}' has no release '{version}'; push it with 'crossfade release push'");
        var decision = await gate.DecideAsync(request, spec.Environments[request.Environment], version, ct);
        if (decision.Outcome != GateOutcome.Allowed)
            return new DeployStart(null, decision.Status, decision.Reason, WaitUntil: decision.WaitUntil);
        var (snapshot, configErrors) = await config.CheckedSnapshotAsync(spec, request.Environment, request.Kind, release, ct);
        if (configErrors.Count > 0)
            return new DeployStart(null, 422, $"the configuration of {version} has {configErrors.Count} error(s); no host was touched", Errors: configErrors);

        var offline = await OfflineHostsAsync(plan.Plan, ct);
        if (offline.Count > 0)
            return new DeployStart(null, 409, "not every host of the environment is online: " + string.Join("; ", offline));

        var draft = new DeployRecord(0, request.App, request.Environment, request.Kind, version, live,
            DeployState.Queued, request.RequestedBy, request.Trigger, time.GetUtcNow(), null, null,
            Canary: request.Canary?.ToString(), CanaryHoldSeconds: request.Canary?.HoldSeconds,
            ConfigJson: snapshot is null ? null : JsonSerializer.Serialize(snapshot, JsonBody.Options));
        var (deploy, created) = await store.CreateDeployAsync(draft, request.IdempotencyKey, request.Queue, ct);
        if (!created)
        {
            if (request.IdempotencyKey is not null && deploy.RequestedBy == request.RequestedBy && deploy.Version == version && deploy.Kind == draft.Kind)
                return new DeployStart(deploy, 200, null);
            return new DeployStart(null, 409,
                $"deploy #{deploy.Id} of '{deploy.App}' to '{deploy.Environment}' ({WireNames.Of(deploy.Kind)} {deploy.Version}) is in progress, started by {deploy.RequestedBy} at {deploy.CreatedAt:u}; wait for it to end, or ask again with --wait to queue behind it",
                deploy);
        }
        if (decision.Reason is { } overridden)
            await timeline.PublishAsync(Events.Timeline.About(deploy, EventKinds.FreezeOverride, $"{request.RequestedBy} overrode a freeze of {request.App} in {request.Environment}",
                overridden, AlertTypes.Warning), ct);
        runner.Launch(deploy.Id);
        return new DeployStart(deploy, 202, null);
    }

    /// <summary>
    /// A rollback asked for while a deploy is in its bake window is that deploy's rollback: its hosts
    /// still hold the old instances warm, so they switch back at once.
    /// </summary>
    private async Task<DeployStart?> BakingDeployAsync(DeployRequest request, CancellationToken ct)
    {
        var baking = (await store.ListUnfinishedDeploysAsync(ct)).FirstOrDefault(d =>
            d.App == request.App && d.Environment == request.Environment && d.Kind == DeployKind.Deploy
            && d.State is DeployState.Verifying or DeployState.Canary or DeployState.Judging);
        if (baking is null)
            return null;
        if (baking.FromVersion is null)
            return new DeployStart(null, 409, $"deploy #{baking.Id} is the first release of '{baking.App}' in '{baking.Environment}': there is nothing to roll back to");
        return await runner.RequestRollbackAsync(baking.Id, baking.State, request.RequestedBy)
            ? new DeployStart(baking, 202, null)
            : new DeployStart(null, 409, $"deploy #{baking.Id}'s {baking.State} hold has just ended, so it no longer takes a rollback; once it has finished, 'crossfade rollback' goes back");
    }

    /// <summary>Promotes the canary (or the judged window) holding in an environment, or says why there is none.</summary>
    public async Task<DeployStart> PromoteAsync(string app, string environment, string requestedBy, CancellationToken ct)
    {
        var holding = (await store.ListUnfinishedDeploysAsync(ct)).FirstOrDefault(d => d.App == app && d.Environment == environment
            && d.State is DeployState.Canary or DeployState.Judging);
        if (holding is null)
            return new DeployStart(null, 409, $"no canary or judged window of '{app}' holds in '{environment}'");
        return await runner.RequestPromoteAsync(holding.Id, holding.State, requestedBy)
            ? new DeployStart(holding, 202, null)
            : new DeployStart(null, 409, $"deploy #{holding.Id}'s {holding.State} hold has just ended: its hosts are switching already");
    }

    /// <summary>Aborts the canary or bake window of an environment: the switched hosts go back.</summary>
    public async Task<DeployStart> AbortAsync(string app, string environment, string requestedBy, CancellationToken ct) =>
        await BakingDeployAsync(new DeployRequest(app, environment, DeployKind.Rollback, null, requestedBy, Contracts.V1.Roles.Deployer, "api", null), ct)
        ?? new DeployStart(null, 409, $"no deploy of '{app}' in '{environment}' is in a judged window, canary hold or bake window; to go back after it ended, use 'crossfade rollback'");

    private async Task<List<string>> OfflineHostsAsync(DeployPlan plan, CancellationToken ct)
    {
        var hosts = (await store.ListHostsAsync(ct)).ToDictionary(h => h.Name);
        var now = time.GetUtcNow();
        var problems = new List<string>();
        foreach (var name in plan.Phases.SelectMany(p => p.Steps).Select(s => s.Host).Distinct())
        {
            if (!hosts.TryGetValue(name, out var host))
                problems.Add($"{name} has never enrolled");
            else if (host.LastSeen is not { } seen || now - seen > options.OfflineAfter)
                problems.Add($"{name} was last seen {(host.LastSeen is { } s ? $"{(now - s).TotalSeconds:0}s ago" : "never")}");
        }
        return problems;
    }
}
