using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

public sealed class CanaryHoldsUntilPromotedOrAborted
{
    [Fact]
    public async Task Canary_OneHostSwitchesAndHolds_PromoteSwitchesTheRest_AbortReturnsTheCanary()
    {
        await using var fleet = await Fleet.StartAsync(nameof(CanaryHoldsUntilPromotedOrAborted));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        await fleet.PushAsync("3.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var watcher = new Cli.DeployWatcher(fleet.Api, TextWriter.Null);

        var canary = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None, canary: "1");
        await fleet.WaitForStateAsync(canary.Id, DeployState.Canary);
        var servedDuringCanary = await fleet.ServedVersionsAsync();
        await Task.Delay(1500);
        var stillHolding = await fleet.Api.GetDeployAsync(canary.Id, CancellationToken.None);
        await fleet.Api.PromoteAsync(Fleet.App, Fleet.Env, CancellationToken.None);
        var promoted = await watcher.WatchAsync(canary, CancellationToken.None);

        servedDuringCanary.ShouldBe(["2.0.0", "1.0.0"]);
        stillHolding.State.ShouldBe(DeployState.Canary);
        promoted.State.ShouldBe(DeployState.Succeeded, promoted.Reason);
        promoted.Phases.Select(p => p.Name).ShouldBe([DeployState.Converging, DeployState.Preparing, DeployState.Migrating, DeployState.CuttingOver, DeployState.Canary, DeployState.Promoting]);
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");

        var second = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "3.0.0", CancellationToken.None, canary: "50%");
        await fleet.WaitForStateAsync(second.Id, DeployState.Canary);
        await fleet.Api.AbortAsync(Fleet.App, Fleet.Env, CancellationToken.None);
        var aborted = await watcher.WatchAsync(second, CancellationToken.None);

        aborted.State.ShouldBe(DeployState.RolledBack);
        aborted.Reason!.ShouldContain("canary aborted by admin");
        aborted.Steps.Where(s => s.Kind == StepKind.Activate && s.Host == "web-2").ShouldBeEmpty();
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");
        (await fleet.Api.StatusAsync(Fleet.App, Fleet.Env, CancellationToken.None)).Hosts.ShouldAllBe(h => h.Release == "2.0.0");
    }

    [Fact]
    public async Task CanaryWithHoldTime_PromotesByItself()
    {
        await using var fleet = await Fleet.StartAsync(nameof(CanaryWithHoldTime_PromotesByItself));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);

        var done = await new Cli.DeployWatcher(fleet.Api, TextWriter.Null).WatchAsync(
            await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None, canary: "1", canaryHoldSeconds: 3), CancellationToken.None);

        done.State.ShouldBe(DeployState.Succeeded, done.Reason);
        var hold = done.Phases.Single(p => p.Name == DeployState.Canary);
        (hold.EndedAt!.Value - hold.StartedAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2.9), "timers and millisecond timestamps may be a few ms short of the window");
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");
    }

    [Fact]
    public async Task PromotedCanary_StillBakesItsWholeWindow()
    {
        await using var fleet = await Fleet.StartAsync(nameof(PromotedCanary_StillBakesItsWholeWindow), bakeSeconds: 4);
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var canary = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None, canary: "1");
        await fleet.WaitForStateAsync(canary.Id, DeployState.Canary);

        await fleet.Api.PromoteAsync(Fleet.App, Fleet.Env, CancellationToken.None);
        var done = await fleet.WatchAsync(canary);

        done.State.ShouldBe(DeployState.Succeeded, done.Reason);
        var bake = done.Phases.Single(p => p.Name == DeployState.Verifying);
        (bake.EndedAt!.Value - bake.StartedAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(3.9), "the promote ended the bake window too");
    }
}
