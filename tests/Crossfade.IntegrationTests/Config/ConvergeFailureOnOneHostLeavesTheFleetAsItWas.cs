using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Config;

public sealed class ConvergeFailureOnOneHostLeavesTheFleetAsItWas
{
    [Fact]
    public async Task Deploy_AbortsBeforePreparing_NamesTheResource_AndPutsTheLiveConfigBack()
    {
        await using var fleet = await Fleet.StartAsync(nameof(ConvergeFailureOnOneHostLeavesTheFleetAsItWas));
        await fleet.PushAsync("1.0.0");
        // 2.0.0 declares a folder where web-2 has a file of its own: only web-2 cannot converge it.
        await fleet.PushEditedAsync("2.0.0", folder =>
            File.AppendAllText(Path.Combine(folder, "crossfade", "config.yml"), "  - directory: uploads\n"));
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        File.WriteAllText(Path.Combine(fleet.Local.AgentRoot("web-2"), "apps", Fleet.App, "config", "uploads"), "a file an operator left here\n");
        await fleet.ReapplyAsync(spec => spec.Replace("Free shipping on orders over 50 EUR", "New banner"));

        var deploy = await fleet.DeployAsync("2.0.0");

        deploy.State.ShouldBe(DeployState.Aborted);
        deploy.Reason!.ShouldContain("web-2: converge failed: directory[uploads] failed:");
        deploy.Reason!.ShouldContain("is a file or a link, not a folder");
        deploy.Reason!.ShouldContain("the configuration of 1.0.0 (deploy #1) is back on every host");
        deploy.Phases.Select(p => p.Name).ShouldBe([DeployState.Converging]);
        deploy.Steps.ShouldAllBe(s => s.Kind == StepKind.Converge);
        var failed = deploy.Steps.Single(s => s.Status == StepStatus.Failed);
        failed.Host.ShouldBe("web-2");
        failed.Converge!.Resources.Single(r => r.Status == "failed").Id.ShouldBe("directory[uploads]");
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
        (await fleet.ServedBannersAsync()).ShouldAllBe(b => b == "Free shipping on orders over 50 EUR");
        foreach (var host in new[] { "web-1", "web-2", "worker-1" })
            fleet.ConfigFile(host, "settings/gear-shop.json")!.ShouldContain("Free shipping on orders over 50 EUR");
        fleet.ConfigFile("web-2", "uploads").ShouldBe("a file an operator left here\n");
    }
}
