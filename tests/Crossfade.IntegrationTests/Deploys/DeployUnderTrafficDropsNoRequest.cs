using Crossfade.Contracts.V1;
using Crossfade.Load;

namespace Crossfade.IntegrationTests.Deploys;

public sealed class DeployUnderTrafficDropsNoRequest
{
    [Fact]
    public async Task DeployAndRollbackUnderKeepAliveLoad_AnswerEveryRequest_AndLeaveOneReleaseEverywhere()
    {
        await using var fleet = await Fleet.StartAsync(nameof(DeployUnderTrafficDropsNoRequest));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var traffic = fleet.Traffic(16, TimeSpan.FromMinutes(3), 2_000_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);
        await Task.Delay(1000);

        var deploy = await fleet.DeployAsync("2.0.0");
        var servedAfterDeploy = await fleet.ServedVersionsAsync();
        var rollback = await fleet.RollbackAsync();
        await Task.Delay(500);
        await stop.CancelAsync();
        await load;

        deploy.State.ShouldBe(DeployState.Succeeded, deploy.Reason);
        deploy.Commit.ShouldBe("abc123");
        deploy.Message.ShouldBe("release 2.0.0");
        deploy.RequestedBy.ShouldBe("admin");
        deploy.Trigger.ShouldBe("cli");
        deploy.Steps.Where(s => s.Kind == StepKind.Activate).Select(s => s.Host).ShouldBe(["web-1", "web-2", "worker-1"], ignoreOrder: true);
        servedAfterDeploy.ShouldAllBe(v => v == "2.0.0");
        rollback.State.ShouldBe(DeployState.Succeeded, rollback.Reason);
        rollback.Version.ShouldBe("1.0.0");
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
        var samples = traffic.Samples;
        samples.Count.ShouldBeGreaterThan(500);
        samples.Count(s => s.Failed).ShouldBe(0);
        var status = await fleet.Api.StatusAsync(Fleet.App, Fleet.Env, CancellationToken.None);
        status.Hosts.ShouldAllBe(h => h.Release == "1.0.0");
    }
}
