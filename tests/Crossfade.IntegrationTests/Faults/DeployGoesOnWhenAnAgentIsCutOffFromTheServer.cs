using Crossfade.Contracts.V1;
using Crossfade.IntegrationTests.Deploys;
using Crossfade.Load;

namespace Crossfade.IntegrationTests.Faults;

public sealed class DeployGoesOnWhenAnAgentIsCutOffFromTheServer
{
    [Fact]
    public async Task LinkCutDuringPreparing_HostKeepsServing_DeployFinishesOnceTheLinkIsBack()
    {
        await using var fleet = await Fleet.StartAsync(nameof(DeployGoesOnWhenAnAgentIsCutOffFromTheServer));
        await using var link = new TcpRelay(fleet.Local.ServerPort);
        var web2 = fleet.Local.Hosts.Single(h => h.Name == "web-2");
        fleet.Local.KillAgent("web-2");
        fleet.Local.StartAgent(web2, serverUrl: link.Url);
        await fleet.Local.WaitForHostsAsync(CancellationToken.None);
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0", "GEARSHOP_STARTUP_DELAY_MS=2000");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);

        var started = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None);
        await fleet.WaitForStateAsync(started.Id, DeployState.Preparing);
        link.Cut();
        var servedWhileCut = await fleet.ServedVersionsAsync();
        await Task.Delay(TimeSpan.FromSeconds(8));
        var duringCut = await fleet.Api.GetDeployAsync(started.Id, CancellationToken.None);
        link.Restore();
        var done = await fleet.WatchAsync(started);

        servedWhileCut.ShouldAllBe(v => v == "1.0.0");
        duringCut.State.ShouldBe(DeployState.Preparing, "the deploy waits for the cut-off host rather than switching without it");
        done.State.ShouldBe(DeployState.Succeeded, done.Reason);
        done.Steps.Where(s => s.Host == "web-2").ShouldAllBe(s => s.Status == StepStatus.Succeeded);
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");
    }
}
