using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

public sealed class DeployLeavesFleetOnOldReleaseWhenACandidateFailsHealth
{
    [Fact]
    public async Task UnhealthyCandidate_NeverTakesTraffic_AndTheDeployAbortsSayingWhy()
    {
        await using var fleet = await Fleet.StartAsync(nameof(DeployLeavesFleetOnOldReleaseWhenACandidateFailsHealth));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0-bad", "GEARSHOP_FAIL_HEALTH=1");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);

        var bad = await fleet.DeployAsync("2.0.0-bad");

        bad.State.ShouldBe(DeployState.Aborted);
        bad.Reason.ShouldNotBeNull();
        bad.Reason.ShouldContain("health");
        bad.Reason.ShouldContain("the fleet still serves 1.0.0");
        bad.Phases.Select(p => p.Name).ShouldNotContain(DeployState.CuttingOver);
        bad.Steps.ShouldContain(s => s.Kind == StepKind.Discard);
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
        (await fleet.Api.StatusAsync(Fleet.App, Fleet.Env, CancellationToken.None)).Version.ShouldBe("1.0.0");
    }
}
