using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

public sealed class SecondDeployIsRefusedOrQueued
{
    [Fact]
    public async Task WhileOneRuns_ASecondIsRefusedNamingTheHolder_OrWithWaitRunsRightAfter()
    {
        await using var fleet = await Fleet.StartAsync(nameof(SecondDeployIsRefusedOrQueued));
        await fleet.PushAsync("1.0.0", "GEARSHOP_STARTUP_DELAY_MS=3000");
        await fleet.PushAsync("2.0.0");
        var first = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "1.0.0", CancellationToken.None);

        var refused = await Should.ThrowAsync<Cli.ApiError>(() => fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None));
        var queued = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None, wait: true);
        var watcher = new Cli.DeployWatcher(fleet.Api, TextWriter.Null);
        var firstDone = await watcher.WatchAsync(first, CancellationToken.None);
        var queuedDone = await watcher.WatchAsync(queued, CancellationToken.None);

        refused.Status.ShouldBe(409);
        refused.Message.ShouldContain($"deploy #{first.Id}");
        refused.Message.ShouldContain("started by admin");
        queued.State.ShouldBe(DeployState.Queued);
        firstDone.State.ShouldBe(DeployState.Succeeded);
        queuedDone.State.ShouldBe(DeployState.Succeeded, queuedDone.Reason);
        queuedDone.FromVersion.ShouldBe("1.0.0");
        queuedDone.Phases.First().StartedAt.ShouldBeGreaterThanOrEqualTo(firstDone.FinishedAt!.Value);
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");
    }
}
