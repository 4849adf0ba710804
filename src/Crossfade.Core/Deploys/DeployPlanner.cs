using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;

namespace Crossfade.Core.Deploys;

/// <summary>
/// Builds the plan of a deploy from the app spec, without side effects: every host prepares,
/// one migrator migrates (deploys only), then every host activates.
/// </summary>
public static class DeployPlanner
{
    public static PlanResult Plan(AppSpec spec, string environment, DeployKind kind, CanarySpec? canary = null)
    {
        if (!spec.Environments.TryGetValue(environment, out var env))
            return PlanResult.Refused($"app '{spec.Name}' has no environment '{environment}' (it has: {string.Join(", ", spec.Environments.Keys)})");
        var hosts = env.Hosts.Where(h => h.Has(HostRoles.Web) || h.Has(HostRoles.Worker)).ToList();
        if (hosts.Count == 0)
            return PlanResult.Refused($"environment '{environment}' has no web or worker host");

        // Configuration goes to every host of the environment, whatever its roles.
        var converging = spec.Config is null ? null
            : new PlannedPhase(DeployState.Converging, env.Hosts.Select(h => new PlannedStep(h.Name, StepKind.Converge, h.Roles)).ToList());
        if (kind is DeployKind.Converge or DeployKind.WhyRun)
            return converging is null
                ? PlanResult.Refused($"app '{spec.Name}' declares no configuration to converge (add 'config.file' to its crossfade.yml)")
                : PlanResult.Ok(new DeployPlan([converging], []));
        var phases = new List<PlannedPhase>();
        if (converging is not null)
            phases.Add(converging);
        phases.Add(new PlannedPhase(DeployState.Preparing, hosts.Select(h => new PlannedStep(h.Name, StepKind.Prepare, h.Roles)).ToList()));
        if (kind == DeployKind.Deploy && spec.Migrate is not null)
        {
            var migrator = env.Hosts.FirstOrDefault(h => h.Has(HostRoles.Migrator));
            if (migrator is null)
                return PlanResult.Refused($"app '{spec.Name}' has a migration command but environment '{environment}' has no host with the 'migrator' role");
            phases.Add(new PlannedPhase(DeployState.Migrating, [new PlannedStep(migrator.Name, StepKind.Migrate, migrator.Roles)]));
        }
        // A judged window: every web host splits its clients between its candidate and its live instance.
        // Only a deploy is judged, only when the spec asks for it, and never a canary (a canary is a
        // person's judgement, with its own hold); see docs/decisions.md, "The judge".
        if (kind == DeployKind.Deploy && spec.Judge is not null && canary is null)
            phases.Add(new PlannedPhase(DeployState.Judging,
                hosts.Where(h => h.Has(HostRoles.Web)).Select(h => new PlannedStep(h.Name, StepKind.Split, h.Roles)).ToList()));
        var activations = hosts.Select(h => new PlannedStep(h.Name, StepKind.Activate, h.Roles)).ToList();
        if (canary is null)
            phases.Add(new PlannedPhase(DeployState.CuttingOver, activations));
        else
        {
            // Canaries are the first web hosts by name; workers and the rest switch on promotion.
            var webs = hosts.Where(h => h.Has(HostRoles.Web)).Select(h => h.Name).Order(StringComparer.Ordinal).ToList();
            var size = canary.HostsOf(webs.Count);
            if (webs.Count < 2 || size >= webs.Count)
                return PlanResult.Refused($"a canary of {canary} would switch {Math.Min(size, webs.Count)} of {webs.Count} web hosts: it must leave at least one on the old release");
            var first = webs.Take(size).ToHashSet(StringComparer.Ordinal);
            phases.Add(new PlannedPhase(DeployState.CuttingOver, activations.Where(a => first.Contains(a.Host)).ToList()));
            phases.Add(new PlannedPhase(DeployState.Canary, []));
            phases.Add(new PlannedPhase(DeployState.Promoting, activations.Where(a => !first.Contains(a.Host)).ToList()));
        }
        if (spec.BakeSeconds > 0)
            phases.Add(new PlannedPhase(DeployState.Verifying, hosts.Select(h => new PlannedStep(h.Name, StepKind.Finalize, h.Roles)).ToList()));
        var checks = spec.CriticalPaths.Count == 0
            ? []
            : hosts.Where(h => h.Has(HostRoles.Web)).Select(h => new PlannedStep(h.Name, StepKind.Check, h.Roles)).ToList();
        return PlanResult.Ok(new DeployPlan(phases, checks));
    }
}

/// <summary>A plan, or the reason there can be none.</summary>
public sealed record PlanResult(DeployPlan? Plan, string? Refusal)
{
    public static PlanResult Ok(DeployPlan plan) => new(plan, null);

    public static PlanResult Refused(string reason) => new(null, reason);
}
