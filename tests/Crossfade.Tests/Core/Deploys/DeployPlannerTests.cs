using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Deploys;

public class DeployPlannerTests
{
    private static AppSpec Spec(string? migrate, params HostSpec[] hosts) =>
        new("shop", "run", "work", migrate, new HealthSpec("/health", 5), 8080, 5, 5, [], new Dictionary<string, string>(),
            new Dictionary<string, EnvironmentSpec> { ["prod"] = new("prod", hosts) });

    [Fact]
    public void Plan_WithCriticalPaths_ChecksEveryWebCandidateBeforeCutover()
    {
        var spec = Spec("migrate", new HostSpec("web-1", ["web"]), new HostSpec("job-1", ["worker", "migrator"])) with
        {
            Checks = [new CheckDefinition("browse", "GET", "/", null, "application/json", 200, null)],
        };

        var plan = DeployPlanner.Plan(spec, "prod", DeployKind.Deploy).Plan!;

        plan.CandidateChecks.Select(s => (s.Host, s.Kind)).ShouldBe([("web-1", StepKind.Check)]);
        DeployPlanner.Plan(spec with { Checks = null }, "prod", DeployKind.Deploy).Plan!.CandidateChecks.ShouldBeEmpty();
    }

    [Fact]
    public void Plan_Deploy_PreparesAllMigratesOnceThenActivatesAll()
    {
        var spec = Spec("migrate", new HostSpec("web-1", ["web"]), new HostSpec("web-2", ["web"]), new HostSpec("job-1", ["worker", "migrator"]), new HostSpec("job-2", ["worker", "migrator"]));

        var plan = DeployPlanner.Plan(spec, "prod", DeployKind.Deploy).Plan!;

        plan.Phases.Select(p => p.State).ShouldBe([DeployState.Preparing, DeployState.Migrating, DeployState.CuttingOver]);
        plan.Phase(DeployState.Preparing)!.Steps.Select(s => s.Host).ShouldBe(["web-1", "web-2", "job-1", "job-2"]);
        plan.Phase(DeployState.Migrating)!.Steps.ShouldHaveSingleItem().ShouldBe(new PlannedStep("job-1", StepKind.Migrate, ["worker", "migrator"]), new StepComparer());
        plan.Phase(DeployState.CuttingOver)!.Steps.ShouldAllBe(s => s.Kind == StepKind.Activate);
    }

    [Fact]
    public void Plan_WithBakeWindow_VerifiesThenFinalizesEveryHost()
    {
        var spec = Spec(null, new HostSpec("web-1", ["web"]), new HostSpec("web-2", ["web"])) with { BakeSeconds = 30 };

        var plan = DeployPlanner.Plan(spec, "prod", DeployKind.Deploy).Plan!;

        plan.Phases.Select(p => p.State).ShouldBe([DeployState.Preparing, DeployState.CuttingOver, DeployState.Verifying]);
        plan.Phase(DeployState.Verifying)!.Steps.Select(s => (s.Host, s.Kind)).ShouldBe([("web-1", StepKind.Finalize), ("web-2", StepKind.Finalize)]);
    }

    [Fact]
    public void Plan_Rollback_NeverMigrates()
    {
        var spec = Spec("migrate", new HostSpec("web-1", ["web", "migrator"]));

        DeployPlanner.Plan(spec, "prod", DeployKind.Rollback).Plan!.Phase(DeployState.Migrating).ShouldBeNull();
    }

    [Fact]
    public void Plan_MigrationWithoutMigratorHost_IsRefusedBeforeItStarts()
    {
        var result = DeployPlanner.Plan(Spec("migrate", new HostSpec("web-1", ["web"])), "prod", DeployKind.Deploy);

        result.Plan.ShouldBeNull();
        result.Refusal!.ShouldContain("migrator");
    }

    [Fact]
    public void Plan_UnknownEnvironment_IsRefusedNamingTheKnownOnes()
    {
        DeployPlanner.Plan(Spec(null, new HostSpec("web-1", ["web"])), "staging", DeployKind.Deploy).Refusal!.ShouldContain("prod");
    }

    private sealed class StepComparer : IEqualityComparer<PlannedStep>
    {
        public bool Equals(PlannedStep? x, PlannedStep? y) => x!.Host == y!.Host && x.Kind == y.Kind && x.Roles.SequenceEqual(y.Roles);

        public int GetHashCode(PlannedStep obj) => obj.Host.GetHashCode(StringComparison.Ordinal);
    }
}
