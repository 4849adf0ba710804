using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

public sealed class DeployAbortsWhenACriticalPathFails
{
    [Fact]
    public async Task HealthyCandidateThatCannotCheckOut_IsStoppedBeforeAnyHostSwitches_NamingThePath()
    {
        await using var fleet = await Fleet.StartAsync(nameof(DeployAbortsWhenACriticalPathFails));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("1.1.0-broken-checkout", "GEARSHOP_CHECKOUT_ERROR_RATE=1");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);

        var bad = await fleet.DeployAsync("1.1.0-broken-checkout");

        bad.State.ShouldBe(DeployState.Aborted);
        bad.Reason.ShouldNotBeNull();
        bad.Reason.ShouldContain("critical path 'check out'");
        bad.Reason.ShouldContain("expected status 201, got 500");
        bad.Reason.ShouldContain("no host was switched");
        bad.Steps.Where(s => s.Kind == StepKind.Activate).ShouldBeEmpty();
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
    }
}
