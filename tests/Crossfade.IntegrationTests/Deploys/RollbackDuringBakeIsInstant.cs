namespace Crossfade.IntegrationTests.Deploys;

public sealed class RollbackDuringBakeIsInstant
{
    [Fact]
    public async Task OldInstancesStayWarmThroughTheBake_ARollbackThenSwitchesBackWithoutStartingAnything()
    {
        await using var fleet = await Fleet.StartAsync(nameof(RollbackDuringBakeIsInstant), bakeSeconds: 60);
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0", "GEARSHOP_STARTUP_DELAY_MS=2500");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe("Succeeded");
        await fleet.Api.RollbackAsync(Fleet.App, Fleet.Env, CancellationToken.None).ShouldThrowAsync<Cli.ApiError>();

        var deploy = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None);
        var verifying = await fleet.WaitForStateAsync(deploy.Id, "Verifying");
        var servedWhileBaking = await fleet.ServedVersionsAsync();
        var asked = DateTimeOffset.UtcNow;
        var rollback = await fleet.Api.RollbackAsync(Fleet.App, Fleet.Env, CancellationToken.None);
        var done = await new Cli.DeployWatcher(fleet.Api, TextWriter.Null).WatchAsync(rollback, CancellationToken.None);

        servedWhileBaking.ShouldAllBe(v => v == "2.0.0");
        rollback.Id.ShouldBe(deploy.Id, "a rollback during the bake is the baking deploy's own rollback");
        done.State.ShouldBe("RolledBack");
        done.Reason!.ShouldContain("rolled back by admin during verification");
        (done.FinishedAt!.Value - asked).ShouldBeLessThan(TimeSpan.FromSeconds(8), "the 1.0.0 instances were warm: nothing had to start");
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
        verifying.Phases.Select(p => p.Name).ShouldContain("Verifying");
    }

    [Fact]
    public async Task BakeWindowPasses_OldInstancesStop_AndTheDeploySucceeds()
    {
        await using var fleet = await Fleet.StartAsync(nameof(RollbackDuringBakeIsInstant) + "-passes", bakeSeconds: 3);
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe("Succeeded");

        var done = await fleet.DeployAsync("2.0.0");

        done.State.ShouldBe("Succeeded", done.Reason);
        done.Phases.Select(p => p.Name).ShouldBe(["Converging", "Preparing", "Migrating", "CuttingOver", "Verifying"]);
        var verifying = done.Phases.Single(p => p.Name == "Verifying");
        (verifying.EndedAt!.Value - verifying.StartedAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2.9), "timers and millisecond timestamps may be a few ms short of the window");
        done.Steps.Where(s => s.Kind == "finalize" && s.Host.StartsWith("web")).ShouldAllBe(s => s.Message!.Contains("after the bake window"));
    }
}
