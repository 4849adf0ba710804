namespace Crossfade.IntegrationTests.Deploys;

public sealed class DeploySurvivesTheServerBeingKilled
{
    [Theory]
    [InlineData("Preparing")]
    [InlineData("Migrating")]
    public async Task ServerKilledMidDeploy_ResumesOnRestart_AndFinishesWithACompleteRecord(string phase)
    {
        await using var fleet = await Fleet.StartAsync($"server-killed-{phase}");
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0", "GEARSHOP_STARTUP_DELAY_MS=4000", "GEARSHOP_MIGRATE_DELAY_MS=4000");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe("Succeeded");
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
        before.Steps.ShouldContain(s => s.Kind == (phase == "Preparing" ? "prepare" : "migrate") && s.Status == "running");
        whileDown.ShouldAllBe(v => v == "1.0.0");
        done.State.ShouldBe("Succeeded", done.Reason);
        done.Phases.Select(p => p.Name).ShouldBe(["Converging", "Preparing", "Migrating", "CuttingOver"]);
        done.Phases.ShouldAllBe(p => p.EndedAt != null);
        done.Steps.Count(s => s.Kind == "migrate").ShouldBe(1, "the migration ran once, not again after the restart");
        done.Steps.ShouldAllBe(s => s.Status == "succeeded");
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");
        var migrateLog = await fleet.Api.LogsAsync(done.Id, "worker-1", 0, CancellationToken.None);
        migrateLog.Count(l => l.Line.Contains("backfilling")).ShouldBe(1);
    }
}
