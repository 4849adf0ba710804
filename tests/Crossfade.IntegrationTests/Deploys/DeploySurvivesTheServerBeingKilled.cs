using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

/// <summary>
/// The server process killed (SIGKILL) while the migration runs, and started again. A server dying in
/// each of the other phases is tested in-process, on a copy of the store taken while a step of that
/// phase ran (<c>DeployResumesInEveryPhaseTests</c>), and the faults bench kills it in Preparing,
/// Migrating and CuttingOver under traffic.
/// </summary>
public sealed class DeploySurvivesTheServerBeingKilled
{
    [Fact]
    public async Task ServerKilledMidMigration_ResumesOnRestart_AndFinishesWithACompleteRecord()
    {
        const DeployState phase = DeployState.Migrating;
        await using var fleet = await Fleet.StartAsync($"server-killed-{phase}");
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0", "GEARSHOP_STARTUP_DELAY_MS=4000", "GEARSHOP_MIGRATE_DELAY_MS=4000");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var started = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None);
        await fleet.WaitForStateAsync(started.Id, phase);
        // The kill lands inside the phase: its step is running on a host.
        var before = await WaitForRunningMigrationAsync(fleet, started.Id);

        fleet.Local.KillServer();
        var whileDown = await fleet.ServedVersionsAsync();
        await Task.Delay(1500);
        await fleet.Local.StartServerAsync(CancellationToken.None);
        var done = await fleet.WatchAsync(started);

        before.State.ShouldBe(phase);
        before.Steps.ShouldContain(s => s.Kind == StepKind.Migrate && s.Status == StepStatus.Running);
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

    private static async Task<DeployView> WaitForRunningMigrationAsync(Fleet fleet, long id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var deploy = await fleet.Api.GetDeployAsync(id, CancellationToken.None);
            if (deploy.Steps.Any(s => s.Kind == StepKind.Migrate && s.Status == StepStatus.Running) || DateTime.UtcNow > deadline)
                return deploy;
            await Task.Delay(50);
        }
    }
}
