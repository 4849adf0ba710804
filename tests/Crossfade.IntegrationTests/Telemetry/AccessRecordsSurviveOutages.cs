using Crossfade.Contracts.V1;
using Crossfade.Load;

namespace Crossfade.IntegrationTests.Telemetry;

/// <summary>
/// Every request a shopper got an answer to is stored once, whatever happened to the server or the link
/// meanwhile. The outages are short here, with the agents' shipping backoff shortened with them (1 s
/// cap, so a 6 s outage still walks the backoff to its cap and past it); <c>./bench/run shipping-outage</c>
/// runs the 30 s and 60 s outages with the default thresholds.
/// </summary>
public sealed class AccessRecordsSurviveOutages
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(6);
    private static readonly string[] ShortBackoff = ["--ship-backoff-max", "1"];

    [Fact]
    public async Task ServerKilledThenAnAgentCutOff_EveryAnsweredRequestIsStoredOnce()
    {
        await using var fleet = await Fleet.StartAsync(nameof(AccessRecordsSurviveOutages), agentArgs: ShortBackoff);
        await using var link = new TcpRelay(fleet.Local.ServerPort);
        var web2 = fleet.Local.Hosts.Single(h => h.Name == "web-2");
        fleet.Local.KillAgent("web-2");
        fleet.Local.StartAgent(web2, serverUrl: link.Url);
        await fleet.Local.WaitForHostsAsync(CancellationToken.None);
        await fleet.PushAsync("1.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);

        // One stretch of traffic through both outages: the server killed and started again (every agent
        // spools meanwhile), then web-2's link to the server cut and restored (only web-2 spools).
        var count = await OutageTraffic.MeasureAsync(fleet.Local, Fleet.App, Fleet.Env, async () =>
        {
            fleet.Local.KillServer();
            await Task.Delay(Outage);
            await fleet.Local.StartServerAsync(CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(2));
            link.Cut();
            await Task.Delay(Outage);
            link.Restore();
        });

        count.Requests.ShouldBeGreaterThan(1000);
        count.Stored.ShouldBe(count.Answered);
    }
}
