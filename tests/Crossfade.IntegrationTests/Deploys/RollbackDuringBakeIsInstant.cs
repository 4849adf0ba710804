using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

public sealed class RollbackDuringBakeIsInstant
{
    [Fact]
    public async Task OldInstancesStayWarmThroughTheBake_ARollbackThenSwitchesBackWithoutStartingAnything()
    {
        await using var fleet = await Fleet.StartAsync(nameof(RollbackDuringBakeIsInstant), bakeSeconds: 60);
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0", "GEARSHOP_STARTUP_DELAY_MS=2500");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        await fleet.Api.RollbackAsync(Fleet.App, Fleet.Env, CancellationToken.None).ShouldThrowAsync<Cli.ApiError>();

        var deploy = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None);
        var verifying = await fleet.WaitForStateAsync(deploy.Id, DeployState.Verifying);
        var servedWhileBaking = await fleet.ServedVersionsAsync();
        var asked = DateTimeOffset.UtcNow;
        var rollback = await fleet.Api.RollbackAsync(Fleet.App, Fleet.Env, CancellationToken.None);
        var done = await fleet.WatchAsync(rollback);

        servedWhileBaking.ShouldAllBe(v => v == "2.0.0");
        rollback.Id.ShouldBe(deploy.Id, "a rollback during the bake is the baking deploy's own rollback");
        done.State.ShouldBe(DeployState.RolledBack);
        done.Reason!.ShouldContain("rolled back by admin during verification");
        (done.FinishedAt!.Value - asked).ShouldBeLessThan(TimeSpan.FromSeconds(8), "the 1.0.0 instances were warm: nothing had to start");
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
        verifying.Phases.Select(p => p.Name).ShouldContain(DeployState.Verifying);
    }

    [Fact]
    public async Task BakeWindowPasses_OldInstancesStop_AndTheDeploySucceeds()
    {
        await using var fleet = await Fleet.StartAsync(nameof(RollbackDuringBakeIsInstant) + "-passes", bakeSeconds: 3);
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);

        var done = await fleet.DeployAsync("2.0.0");

        done.State.ShouldBe(DeployState.Succeeded, done.Reason);
        done.Phases.Select(p => p.Name).ShouldBe([DeployState.Converging, DeployState.Preparing, DeployState.Migrating, DeployState.CuttingOver, DeployState.Verifying]);
        var verifying = done.Phases.Single(p => p.Name == DeployState.Verifying);
        (verifying.EndedAt!.Value - verifying.StartedAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2.9), "timers and millisecond timestamps may be a few ms short of the window");
        done.Steps.Where(s => s.Kind == StepKind.Finalize && s.Host.StartsWith("web")).ShouldAllBe(s => s.Message!.Contains("after the bake window"));
    }
}
