using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

public sealed class DeploySurvivesTheServerBeingKilled
{
    [Theory]
    [InlineData(DeployState.Preparing)]
    [InlineData(DeployState.Migrating)]
    public async Task ServerKilledMidDeploy_ResumesOnRestart_AndFinishesWithACompleteRecord(DeployState phase)
    {
        await using var fleet = await Fleet.StartAsync($"server-killed-{phase}");
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0", "GEARSHOP_STARTUP_DELAY_MS=4000", "GEARSHOP_MIGRATE_DELAY_MS=4000");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var started = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None);
        await fleet.WaitForStateAsync(started.Id, phase);
        await Task.Delay(800);
        // The kill lands inside the phase: one of its steps is running on a host.
        var before = await fleet.Api.GetDeployAsync(started.Id, CancellationToken.None);

        fleet.Local.KillServer();
        var whileDown = await fleet.ServedVersionsAsync();
        await Task.Delay(1500);
        await fleet.Local.StartServerAsync(CancellationToken.None);
        var done = await new Cli.DeployWatcher(fleet.Api, TextWriter.Null).WatchAsync(started, CancellationToken.None);

        before.State.ShouldBe(phase);
        before.Steps.ShouldContain(s => s.Kind == (phase == DeployState.Preparing ? StepKind.Prepare : StepKind.Migrate) && s.Status == StepStatus.Running);
        whileDown.ShouldAllBe(v => v == "1.0.0");
        done.State.ShouldBe(DeployState.Succeeded, done.Reason);
        done.Phases.Select(p => p.Name).ShouldBe([DeployState.Converging, DeployState.Preparing, DeployState.Migrating, DeployState.CuttingOver]);
        done.Phases.ShouldAllBe(p => p.EndedAt != null);
        done.Steps.Count(s => s.Kind == StepKind.Migrate).ShouldBe(1, "the migration ran once, not again after the restart");
        done.Steps.ShouldAllBe(s => s.Status == StepStatus.Succeeded);
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");
        var migrateLog = await fleet.Api.LogsAsync(done.Id, "worker-1", 0, CancellationToken.None);
        migrateLog.Count(l => l.Line.Contains("backfilling")).ShouldBe(1);
    }
}
