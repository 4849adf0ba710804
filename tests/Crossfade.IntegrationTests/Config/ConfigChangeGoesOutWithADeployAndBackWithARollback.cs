using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Config;

public sealed class ConfigChangeGoesOutWithADeployAndBackWithARollback
{
    private const string Before = "Free shipping on orders over 50 EUR";
    private const string After = "Winter sale, 20% off boots";

    [Fact]
    public async Task Deploy_ConvergesTheNewConfigOnEveryHost_Rollback_RestoresTheOldOne()
    {
        await using var fleet = await Fleet.StartAsync(nameof(ConfigChangeGoesOutWithADeployAndBackWithARollback));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        var first = await fleet.DeployAsync("1.0.0");
        first.State.ShouldBe(DeployState.Succeeded, first.Reason);
        var bannersAtFirst = await fleet.ServedBannersAsync();

        await fleet.ReapplyAsync(spec => spec.Replace(Before, After));
        var second = await fleet.DeployAsync("2.0.0");
        var bannersAfterDeploy = await fleet.ServedBannersAsync();
        var fileAfterDeploy = fleet.ConfigFile("web-1", "settings/gear-shop.json");
        var rollback = await fleet.RollbackAsync();
        var bannersAfterRollback = await fleet.ServedBannersAsync();
        var whyRun = await fleet.ConvergeAsync(whyRun: true);

        first.Steps.Where(s => s.Kind == StepKind.Converge).Select(s => s.Host).ShouldBe(["web-1", "web-2", "worker-1"], ignoreOrder: true);
        first.Steps.Where(s => s.Kind == StepKind.Converge).ShouldAllBe(s => s.Converge!.Changed == 7);
        bannersAtFirst.ShouldAllBe(b => b == Before);

        second.State.ShouldBe(DeployState.Succeeded, second.Reason);
        foreach (var step in second.Steps.Where(s => s.Kind == StepKind.Converge))
        {
            step.Message.ShouldBe($"{step.Host}: 1 of 7 resources changed; notified reload");
            var changed = step.Converge!.Resources.Where(r => r.Status == "changed").ShouldHaveSingleItem();
            changed.Id.ShouldBe("file[settings/gear-shop.json]");
            changed.Diff!.ShouldContain($"-  \"checkoutBanner\": \"{Before}\",\n+  \"checkoutBanner\": \"{After}\",");
        }
        bannersAfterDeploy.ShouldAllBe(b => b == After);
        var timeline = (await fleet.Api.EventsAsync($"tags=deploy:{second.Id}&limit=100", CancellationToken.None)).AsEnumerable().Reverse().ToList();
        timeline.Select(e => e.Kind).ShouldBe(["deploy.started", "converge.host", "converge.host", "converge.host", "deploy.phase", "deploy.phase", "deploy.phase", "deploy.ended"]);
        timeline.Where(e => e.Kind == "converge.host").Select(e => e.Title).ShouldBe(
            new[] { "web-1", "web-2", "worker-1" }.Select(h => $"gear-shop production {h}: 1 of 7 resources changed; notified reload"), ignoreOrder: true);
        timeline.Where(e => e.Kind == "converge.host").ShouldAllBe(e => e.Text.Contains("changed file[settings/gear-shop.json]") && e.Tags.Contains("release:2.0.0"));
        timeline[^1].Title.ShouldStartWith($"gear-shop deploy of 2.0.0 to production (#{second.Id}) succeeded in ");
        fileAfterDeploy!.ShouldContain(After);

        rollback.State.ShouldBe(DeployState.Succeeded, rollback.Reason);
        rollback.Steps.Where(s => s.Kind == StepKind.Converge).ShouldAllBe(s => s.Converge!.Changed == 1);
        bannersAfterRollback.ShouldAllBe(b => b == Before);
        fleet.ConfigFile("web-2", "settings/gear-shop.json")!.ShouldContain(Before);
        fleet.ConfigFile("worker-1", "settings/gear-shop.json")!.ShouldContain(Before);

        // The configuration in place is the rollback's; a why-run of the live spec shows the change still waiting.
        whyRun.State.ShouldBe(DeployState.Succeeded, whyRun.Reason);
        whyRun.Steps.ShouldAllBe(s => s.Converge!.WhyRun && s.Converge.Changed == 1);
        fleet.ConfigFile("web-1", "settings/gear-shop.json")!.ShouldContain(Before);
    }
}
