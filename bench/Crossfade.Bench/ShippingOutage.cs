using System.Globalization;
using Crossfade.Cli;
using Crossfade.Contracts.V1;
using Crossfade.Demo;
using Crossfade.Load;

namespace Crossfade.Bench;

/// <summary>
/// The long outages, with the default thresholds: the server killed for 30 s, then one agent's link
/// to the server cut for 60 s, each under shopper traffic. Every answered request must be stored once.
/// </summary>
public static class ShippingOutage
{
    public static async Task<int> RunAsync(string[] args)
    {
        var serverOutage = TimeSpan.FromSeconds(args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30);
        var linkOutage = TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60);
        var hosts = new[] { ("web-1", "web"), ("web-2", "web"), ("worker-1", "worker,migrator") };
        await using var fleet = await LocalFleet.StartAsync(Path.Combine(Path.GetTempPath(), "cf-bench-outage"), hosts, default, "cli");
        await using var link = new TcpRelay(fleet.ServerPort);
        var web2 = fleet.Hosts.Single(h => h.Name == "web-2");
        fleet.KillAgent("web-2");
        fleet.StartAgent(web2, serverUrl: link.Url);
        await fleet.WaitForHostsAsync(default);
        var releases = new BenchReleases(fleet);
        await releases.PushAsync("1.0.0");
        (await new DeployWatcher(fleet.Api, TextWriter.Null).WatchAsync(await fleet.Api.DeployAsync("gear-shop", "production", "1.0.0", default), default))
            .State.ShouldBe(DeployState.Succeeded);

        var killed = await OutageTraffic.MeasureAsync(fleet, "gear-shop", "production", async () =>
        {
            fleet.KillServer();
            await Task.Delay(serverOutage);
            await fleet.StartServerAsync(default);
        });
        Console.WriteLine($"server killed for {serverOutage.TotalSeconds:0} s: {killed.Requests} requests, {killed.Answered} answered, {killed.Stored} stored");
        var cut = await OutageTraffic.MeasureAsync(fleet, "gear-shop", "production", async () =>
        {
            link.Cut();
            await Task.Delay(linkOutage);
            link.Restore();
        });
        Console.WriteLine($"web-2's link cut for {linkOutage.TotalSeconds:0} s: {cut.Requests} requests, {cut.Answered} answered, {cut.Stored} stored");
        var lost = Math.Max(0, killed.Answered - killed.Stored) + Math.Max(0, cut.Answered - cut.Stored);
        var duplicated = Math.Max(0, killed.Stored - killed.Answered) + Math.Max(0, cut.Stored - cut.Answered);
        Console.WriteLine($"shipping-outage: server_kill_s={serverOutage.TotalSeconds:0} link_cut_s={linkOutage.TotalSeconds:0} " +
            $"answered={killed.Answered + cut.Answered} stored={killed.Stored + cut.Stored} lost={lost} duplicated={duplicated}");
        return lost == 0 && duplicated == 0 ? 0 : 1;
    }
}
