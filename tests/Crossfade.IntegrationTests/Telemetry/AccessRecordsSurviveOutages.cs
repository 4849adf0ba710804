using Crossfade.IntegrationTests.Faults;
using Crossfade.Load;

namespace Crossfade.IntegrationTests.Telemetry;

/// <summary>Every request a shopper got an answer to is stored once, whatever happened to the server or the link meanwhile.</summary>
public sealed class AccessRecordsSurviveOutages
{
    [Fact]
    public async Task ServerKilledFor30Seconds_EveryAnsweredRequestIsStoredOnce()
    {
        await using var fleet = await Fleet.StartAsync(nameof(ServerKilledFor30Seconds_EveryAnsweredRequestIsStoredOnce));
        await fleet.PushAsync("1.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe("Succeeded");

        var (from, to, answered) = await UnderTrafficAsync(fleet, async () =>
        {
            fleet.Local.KillServer();
            await Task.Delay(TimeSpan.FromSeconds(30));
            await fleet.Local.StartServerAsync(CancellationToken.None);
        });

        (await StoredAsync(fleet, from, to, answered)).ShouldBe(answered);
    }

    [Fact]
    public async Task AgentCutOffFor60Seconds_EveryAnsweredRequestIsStoredOnce()
    {
        await using var fleet = await Fleet.StartAsync(nameof(AgentCutOffFor60Seconds_EveryAnsweredRequestIsStoredOnce));
        await using var link = new TcpRelay(fleet.Local.ServerPort);
        var web2 = fleet.Local.Hosts.Single(h => h.Name == "web-2");
        fleet.Local.KillAgent("web-2");
        fleet.Local.StartAgent(web2, serverUrl: link.Url);
        await fleet.Local.WaitForHostsAsync(CancellationToken.None);
        await fleet.PushAsync("1.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe("Succeeded");

        var (from, to, answered) = await UnderTrafficAsync(fleet, async () =>
        {
            link.Cut();
            await Task.Delay(TimeSpan.FromSeconds(60));
            link.Restore();
        });

        (await StoredAsync(fleet, from, to, answered)).ShouldBe(answered);
    }

    /// <summary>Shopper traffic on every web host for a few seconds, then through the outage, then a few seconds more.</summary>
    private static async Task<(DateTimeOffset From, DateTimeOffset To, long Answered)> UnderTrafficAsync(Fleet fleet, Func<Task> outage)
    {
        await Task.Delay(1000);
        var from = DateTimeOffset.UtcNow;
        var traffic = new TrafficGenerator(fleet.WebHosts.Select(h => new Uri($"http://127.0.0.1:{h.ProxyPort}")).ToList(), 4, TimeSpan.FromMinutes(3), 400_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await outage();
        await Task.Delay(TimeSpan.FromSeconds(3));
        traffic.Finish();
        await load;
        await Task.Delay(500);
        var to = DateTimeOffset.UtcNow;
        var samples = traffic.Samples;
        samples.Count.ShouldBeGreaterThan(1000);
        return (from, to, samples.Count(s => s.Status > 0));
    }

    /// <summary>The count of stored access records in the window, once it stops growing (or reaches what was answered).</summary>
    private static async Task<long> StoredAsync(Fleet fleet, DateTimeOffset from, DateTimeOffset to, long answered)
    {
        long stored = -1;
        for (var i = 0; i < 120; i++)
        {
            stored = await fleet.Api.RequestCountAsync(Fleet.App, Fleet.Env, from, to, CancellationToken.None);
            if (stored >= answered)
                break;
            await Task.Delay(500);
        }
        // A little longer: a duplicate would show as more than answered.
        await Task.Delay(2000);
        return await fleet.Api.RequestCountAsync(Fleet.App, Fleet.Env, from, to, CancellationToken.None);
    }
}
