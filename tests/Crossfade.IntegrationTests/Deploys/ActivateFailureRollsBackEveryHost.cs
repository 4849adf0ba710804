using System.Net;
using System.Net.Sockets;
using Crossfade.Agent.Instances;
using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

/// <summary>
/// A host whose activate fails sends every switched host back; a host that cannot go back is named,
/// and the deploy ends Mixed, an error on the timeline.
/// </summary>
public sealed class ActivateFailureRollsBackEveryHost
{
    [Fact]
    public async Task ChecksFailingAfterTheSwitch_EverySwitchedHostGoesBack()
    {
        await using var fleet = await Fleet.StartAsync(nameof(ActivateFailureRollsBackEveryHost));
        await fleet.PushAsync("1.0.0");
        // Its three checks pass on the candidate; every check after that fails, so the checks after the switch catch it.
        await fleet.PushAsync("2.0.0", "GEARSHOP_FAIL_CHECKS_AFTER=3");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);

        var done = await fleet.DeployAsync("2.0.0");

        done.State.ShouldBe(DeployState.RolledBack, done.Reason);
        done.Reason.ShouldNotBeNull();
        done.Reason.ShouldContain("every host is back on 1.0.0");
        done.Steps.Where(s => s.Kind == StepKind.Activate && s.Status == StepStatus.Failed).ShouldNotBeEmpty();
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
    }

    [Fact]
    public async Task ProxyThatCannotStart_FailsItsHostsActivate_TheOthersGoBack_AndTheDeployEndsMixedNamingIt()
    {
        await using var fleet = await Fleet.StartAsync(nameof(ActivateFailureRollsBackEveryHost) + "-mixed");
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        // web-2's proxy dies and something else takes its port: it cannot be started again, to switch forward or back.
        var web2 = fleet.Local.Hosts.Single(h => h.Name == "web-2");
        Processes.Signal(fleet.Local.AppStateOf("web-2")!.Proxy!.Process, Native.SIGKILL);
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await BindWhenFreeAsync(squatter, web2.ProxyPort);

        var done = await fleet.DeployAsync("2.0.0");

        done.State.ShouldBe(DeployState.Mixed, done.Reason);
        done.Reason.ShouldNotBeNull();
        done.Reason.ShouldContain("the fleet is mixed: could not switch web-2");
        done.Reason.ShouldNotContain("web-1 (");
        var served = await fleet.ServedVersionsAsync();
        served[0].ShouldBe("1.0.0");
        var ended = (await fleet.Api.EventsAsync($"kind=deploy.ended&app={Fleet.App}", CancellationToken.None)).Single(e => e.Text.Contains("the fleet is mixed"));
        ended.AlertType.ShouldBe("error");
        ended.Title.ShouldContain("left the fleet mixed");
    }

    private static async Task BindWhenFreeAsync(Socket socket, int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.Listen();
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }
        throw new InvalidOperationException($"port {port} never came free");
    }
}
