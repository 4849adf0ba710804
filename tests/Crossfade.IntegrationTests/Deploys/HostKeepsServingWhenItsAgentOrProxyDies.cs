using Crossfade.Agent.Instances;
using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

public sealed class HostKeepsServingWhenItsAgentOrProxyDies
{
    [Fact]
    public async Task AgentKilled_HostServes_RestartedAgentReadoptsAndDeploys()
    {
        await using var fleet = await Fleet.StartAsync("agent-killed");
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var web1 = fleet.Local.Hosts.First(h => h.Name == "web-1");
        var before = State(fleet, "web-1");

        fleet.Local.KillAgent("web-1");
        var whileDown = await fleet.ServedVersionsAsync();
        fleet.Local.StartAgent(web1);
        await fleet.Local.WaitForHostsAsync(CancellationToken.None);
        var deploy = await fleet.DeployAsync("2.0.0");

        whileDown.ShouldAllBe(v => v == "1.0.0");
        deploy.State.ShouldBe(DeployState.Succeeded, deploy.Reason);
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");
        Processes.IsAlive(before.Proxy!.Process).ShouldBeTrue("the proxy outlived the agent and was re-adopted, not replaced");
        State(fleet, "web-1").Proxy!.Process.ShouldBe(before.Proxy.Process);
    }

    [Fact]
    public async Task ProxyOrInstanceKilled_AgentRestartsItWithTheLiveRelease()
    {
        await using var fleet = await Fleet.StartAsync("proxy-killed");
        await fleet.PushAsync("1.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var before = State(fleet, "web-2");

        Processes.Signal(before.Proxy!.Process, Native.SIGKILL);
        Processes.Signal(before.Live!.Process, Native.SIGKILL);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var after = before;
        while (DateTime.UtcNow < deadline)
        {
            after = State(fleet, "web-2");
            if (after.Proxy!.Process != before.Proxy.Process && after.Live!.Process != before.Live.Process && Processes.IsAlive(after.Live.Process))
                break;
            await Task.Delay(250);
        }
        await Task.Delay(1500);

        after.Proxy!.Port.ShouldBe(before.Proxy.Port);
        after.Live!.Port.ShouldBe(before.Live.Port);
        Processes.IsAlive(after.Proxy.Process).ShouldBeTrue();
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
    }

    private static AppState State(Fleet fleet, string host) => fleet.Local.AppStateOf(host)!;
}
