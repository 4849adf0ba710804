using Crossfade.Contracts.V1;
using Crossfade.Load;

namespace Crossfade.IntegrationTests.Config;

public sealed class ConvergeOutsideADeployIsPredictedAndDropsNoRequest
{
    [Fact]
    public async Task WhyRun_PredictsTheConverge_WhichReloadsTheShopUnderTraffic()
    {
        await using var fleet = await Fleet.StartAsync(nameof(ConvergeOutsideADeployIsPredictedAndDropsNoRequest));
        await fleet.PushAsync("1.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        await fleet.ReapplyAsync(spec => spec.Replace("max_body_kb: \"512\"", "max_body_kb: \"2048\"").Replace("Free shipping on orders over 50 EUR", "Flash sale"));
        var limitsBefore = fleet.ConfigFile("web-1", "proxy/limits.conf");

        var predicted = await fleet.ConvergeAsync(whyRun: true);
        var limitsAfterWhyRun = fleet.ConfigFile("web-1", "proxy/limits.conf");
        var traffic = fleet.Traffic(16, TimeSpan.FromMinutes(2), 1_000_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);
        await Task.Delay(500);
        var converged = await fleet.ConvergeAsync(whyRun: false);
        await Task.Delay(500);
        await stop.CancelAsync();
        await load;
        var again = await fleet.ConvergeAsync(whyRun: false);

        predicted.State.ShouldBe(DeployState.Succeeded, predicted.Reason);
        limitsAfterWhyRun.ShouldBe(limitsBefore);
        converged.State.ShouldBe(DeployState.Succeeded, converged.Reason);
        foreach (var host in new[] { "web-1", "web-2", "worker-1" })
        {
            var would = predicted.Steps.Single(s => s.Host == host).Converge!;
            var did = converged.Steps.Single(s => s.Host == host).Converge!;
            would.Resources.Select(r => (r.Id, r.Status, r.Diff)).ShouldBe(did.Resources.Select(r => (r.Id, r.Status, r.Diff)));
            would.Notified.ShouldBe(did.Notified);
            did.Notified.ShouldBe(["reload", "command:reload-limits"]);
            did.Resources.Where(r => r.Status == "changed").Select(r => r.Id)
                .ShouldBe(["file[settings/gear-shop.json]", "file[proxy/limits.conf]", "command[reload-limits]"]);
        }
        fleet.ConfigFile("web-2", "proxy/limits.conf")!.ShouldContain("client_max_body_size 2048k;");
        fleet.ConfigFile("web-2", "proxy/reloads.log")!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2);
        (await fleet.ServedBannersAsync()).ShouldAllBe(b => b == "Flash sale");
        traffic.Samples.Count.ShouldBeGreaterThan(200);
        traffic.Samples.Count(s => s.Failed).ShouldBe(0);
        again.Steps.ShouldAllBe(s => s.Converge!.Changed == 0 && s.Converge.Notified.Count == 0);
    }
}
