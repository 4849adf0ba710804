using System.Diagnostics;
using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

/// <summary>
/// Requests to a holding deploy (a rollback in its bake window) are stored, so they reach it through any
/// server process; and a deploy whose server died is taken over by another process once its lease
/// expires, waiting only for what is left of its bake window.
/// </summary>
public sealed class HoldsAnswerAnyServerProcess
{
    private const int Bake = 15;

    [Fact]
    public async Task RollbackAskedThroughAnotherServerProcess_ReachesTheBakingDeploy()
    {
        await using var fleet = await Fleet.StartAsync(nameof(HoldsAnswerAnyServerProcess), bakeSeconds: 120);
        var baking = await StartBakingAsync(fleet);
        var other = await fleet.Local.StartAnotherServerAsync(["--instance-id", "replica-b:1:b"], CancellationToken.None);
        var replica = new Cli.ApiClient(other, fleet.Local.AdminToken, "cli");

        var asked = await replica.RollbackAsync(Fleet.App, Fleet.Env, CancellationToken.None);
        var done = await fleet.WaitForStateAsync(baking.Id, DeployState.RolledBack);

        asked.Id.ShouldBe(baking.Id);
        done.Reason.ShouldNotBeNull();
        done.Reason.ShouldContain("during verification");
        (done.FinishedAt!.Value - done.CreatedAt).ShouldBeLessThan(TimeSpan.FromSeconds(100), "the rollback waited for the window to end");
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
    }

    [Fact]
    public async Task ServerKilledInTheBakeWindow_AnotherProcessTakesOverWhenTheLeaseExpires_AndBakesOnlyWhatIsLeft()
    {
        // The first server names itself as another machine's process: the replica cannot see it died, only that its lease ran out.
        await using var fleet = await Fleet.StartAsync(nameof(HoldsAnswerAnyServerProcess) + "-lease", Bake, ["--instance-id", "machine-a:1:a", "--lease-expiry", "3"]);
        var baking = await StartBakingAsync(fleet);
        var verifyingSince = baking.Phases.Single(p => p.Name == DeployState.Verifying).StartedAt;

        fleet.Local.KillServer();
        var killedAt = DateTimeOffset.UtcNow;
        await fleet.Local.StartAnotherServerAsync(["--instance-id", "replica-b:1:b", "--lease-expiry", "3"], CancellationToken.None, fleet.Local.ServerPort);
        var done = await fleet.WaitForStateAsync(baking.Id, DeployState.Succeeded);

        (killedAt - verifyingSince).ShouldBeLessThan(TimeSpan.FromSeconds(Bake - 5), "the kill must land inside the bake window");
        var took = done.FinishedAt!.Value - verifyingSince;
        took.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(Bake - 1));
        took.ShouldBeLessThan(TimeSpan.FromSeconds(Bake + 5), "the replica baked a whole window again instead of what was left");
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");
    }

    /// <summary>Deploys 1.0.0, then 2.0.0, and returns 2.0.0's deploy once it is in its bake window.</summary>
    private static async Task<Contracts.V1.DeployView> StartBakingAsync(Fleet fleet)
    {
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var started = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var now = await fleet.Api.GetDeployAsync(started.Id, CancellationToken.None);
            if (now.State == DeployState.Verifying)
                return now;
            now.State.ShouldNotBeOneOf(DeployState.Aborted, DeployState.RolledBack, DeployState.Succeeded);
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(60));
            await Task.Delay(100);
        }
    }
}
