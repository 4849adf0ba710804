using System.Diagnostics;
using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

public sealed class DeployGoesOnWhenAnAgentDiesMidStep
{
    [Fact]
    public async Task AgentKilledWhilePreparing_RestartedAgentRunsTheStepAgain_DeploySucceeds()
    {
        await using var fleet = await Fleet.StartAsync(nameof(DeployGoesOnWhenAnAgentDiesMidStep));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0", "GEARSHOP_STARTUP_DELAY_MS=3000");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var started = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None);
        var clock = Stopwatch.StartNew();
        while ((await fleet.Api.GetDeployAsync(started.Id, CancellationToken.None)).Steps.All(s => s.Host != "web-2" || s.Status != StepStatus.Running))
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30));
            await Task.Delay(100);
        }

        fleet.Local.KillAgent("web-2");
        await Task.Delay(1000);
        fleet.Local.StartAgent(fleet.Local.Hosts.Single(h => h.Name == "web-2"));
        var done = await fleet.WatchAsync(started);

        done.State.ShouldBe(DeployState.Succeeded, done.Reason);
        (done.FinishedAt!.Value - done.CreatedAt).ShouldBeLessThan(TimeSpan.FromSeconds(60), "the orphaned step was run again, not left to time out");
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");
    }

    [Fact]
    public async Task MigrationFails_DeployAbortsBeforeAnySwitch_WithTheMigrationsOutput()
    {
        await using var fleet = await Fleet.StartAsync("migration-fails");
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0", "GEARSHOP_MIGRATE_FAIL=1");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);

        var done = await fleet.DeployAsync("2.0.0");

        done.State.ShouldBe(DeployState.Aborted);
        done.Reason.ShouldNotBeNull();
        done.Reason.ShouldContain("worker-1: migrate failed: migration exited with code 1");
        done.Reason.ShouldContain("cannot be NOT NULL");
        done.Steps.ShouldNotContain(s => s.Kind == StepKind.Activate);
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
    }
}
