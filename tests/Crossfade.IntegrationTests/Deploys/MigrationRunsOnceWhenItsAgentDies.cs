using System.Diagnostics;
using Crossfade.Contracts.V1;
using Microsoft.Data.Sqlite;

namespace Crossfade.IntegrationTests.Deploys;

/// <summary>
/// The migrator's agent is killed while the migration runs (the kill provably lands inside it: the
/// shop has recorded the run's start and not its end). The migration is never run a second time:
/// the restarted agent waits for the run it started, or, when that run is gone without a word, says
/// the outcome is unknown and the deploy aborts with the fleet on its old release.
/// </summary>
public sealed class MigrationRunsOnceWhenItsAgentDies
{
    [Fact]
    public async Task MigratorsAgentKilledMidMigration_RestartedAgentWaitsForTheSameRun_DeploySucceeds()
    {
        await using var fleet = await Fleet.StartAsync(nameof(MigrationRunsOnceWhenItsAgentDies));
        var started = await StartMigratingAsync(fleet);

        fleet.Local.KillAgent("worker-1");
        fleet.Local.StartAgent(fleet.Local.Hosts.Single(h => h.Name == "worker-1"));
        var done = await fleet.WatchAsync(started);

        done.State.ShouldBe(DeployState.Succeeded, done.Reason);
        var runs = Runs(fleet, "2.0.0");
        runs.Count.ShouldBe(1, "the migration ran more than once");
        runs[0].Ended.ShouldBeTrue();
        var migrate = done.Steps.Single(s => s.Kind == StepKind.Migrate);
        var log = await fleet.Api.LogsAsync(done.Id, "worker-1", 0, CancellationToken.None);
        log.ShouldContain(l => l.Line.Contains("not run again"));
        log.ShouldContain(l => l.Line.Contains("schema is up to date"));
        migrate.Status.ShouldBe(StepStatus.Succeeded);
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");
    }

    [Fact]
    public async Task MigrationGoneWithoutItsExitWhileTheAgentWasDown_IsAnUnknownOutcome_NotRunAgain_DeployAborts()
    {
        await using var fleet = await Fleet.StartAsync(nameof(MigrationRunsOnceWhenItsAgentDies) + "-lost");
        var started = await StartMigratingAsync(fleet);

        fleet.Local.KillAgent("worker-1");
        // The whole process group of the migration goes too (the host rebooted, the OOM killer struck).
        var group = ProcessGroupOf(Runs(fleet, "2.0.0").Single().Pid);
        Process.Start("kill", ["-KILL", "--", $"-{group}"])!.WaitForExit();
        fleet.Local.StartAgent(fleet.Local.Hosts.Single(h => h.Name == "worker-1"));
        var done = await fleet.WatchAsync(started);

        done.State.ShouldBe(DeployState.Aborted);
        done.Reason.ShouldNotBeNull();
        done.Reason.ShouldContain("unknown outcome");
        var runs = Runs(fleet, "2.0.0");
        runs.Count.ShouldBe(1, "the migration was run again");
        runs[0].Ended.ShouldBeFalse();
        done.Steps.ShouldNotContain(s => s.Kind == StepKind.Activate);
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
    }

    /// <summary>Deploys 1.0.0, then starts 2.0.0 (a 6 s migration) and returns once the migration is running on worker-1.</summary>
    private static async Task<Contracts.V1.DeployView> StartMigratingAsync(Fleet fleet)
    {
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0", "GEARSHOP_MIGRATE_DELAY_MS=6000");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var started = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None);
        var clock = Stopwatch.StartNew();
        while (!(await fleet.Api.GetDeployAsync(started.Id, CancellationToken.None)).Steps.Any(s => s is { Kind: StepKind.Migrate, Status: StepStatus.Running })
            || Runs(fleet, "2.0.0").Count == 0)
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(60), "the migration never started");
            await Task.Delay(50);
        }
        Runs(fleet, "2.0.0").ShouldHaveSingleItem().Ended.ShouldBeFalse("the kill must land inside the migration");
        return started;
    }

    /// <summary>The runs of the migration that the shop itself recorded, for one release.</summary>
    private static List<(int Pid, bool Ended)> Runs(Fleet fleet, string release)
    {
        var db = Path.Combine(fleet.Local.Dir, "shop-db", "shop.db");
        if (!File.Exists(db))
            return [];
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'migration_runs'";
        if ((long)exists.ExecuteScalar()! == 0)
            return [];
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT pid, ended_at IS NOT NULL FROM migration_runs WHERE release = $release ORDER BY id";
        query.Parameters.AddWithValue("$release", release);
        using var reader = query.ExecuteReader();
        var runs = new List<(int, bool)>();
        while (reader.Read())
            runs.Add((reader.GetInt32(0), reader.GetInt64(1) == 1));
        return runs;
    }

    private static int ProcessGroupOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
    }
}
