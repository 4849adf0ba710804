using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;

namespace Crossfade.Tests.Server.Deploys;

/// <summary>
/// The server dies inside each phase of a deploy — with a step of that phase running on a host, or in a
/// hold — and a new server process on the same store finishes the deploy: Succeeded (RolledBack when it
/// died rolling back), every host on one release, no step queued twice, every phase closed. The hosts are
/// played by the test; the agent that was running a step when the server died re-delivers its result.
/// </summary>
public sealed class DeployResumesInEveryPhaseTests
{
    private const string Spec = """
        migrate: ./migrate
        bake_seconds: 600
        config:
          file: crossfade/config.yml
        checks:
          - name: home
            path: /
            expect_status: 200

        """;

    private const string Hosts = "      web-1: [web, migrator]\n      web-2: [web]\n";

    public static TheoryData<StepKind, DeployState> InFlight => new()
    {
        { StepKind.Converge, DeployState.Converging },
        { StepKind.Prepare, DeployState.Preparing },
        { StepKind.Migrate, DeployState.Migrating },
        // The candidate checks run after the migration, before any host switches.
        { StepKind.Check, DeployState.Migrating },
    };

    [Theory]
    [MemberData(nameof(InFlight))]
    public async Task ServerDiesWithAStepRunning_TheNextServerFinishesTheDeployOnOneRelease(StepKind running, DeployState phase)
    {
        await using var before = await DeployRunHarness.StartAsync(Spec, Hosts);
        var id = await before.DeployAsync(configJson: "{}");
        var inFlight = await before.PlayHostsUntilTakenAsync(id, s => s.Kind == running && s.Host == "web-1");
        (await before.Store.GetDeployAsync(id, default))!.State.ShouldBe(phase);

        await using var after = await before.CrashAndRestartAsync();
        await after.FinishAsync(inFlight);
        await FinishThroughTheBakeWindowAsync(after, id);
    }

    [Fact]
    public async Task ServerDiesWithHalfTheFleetSwitched_TheNextServerSwitchesTheRest()
    {
        await using var before = await DeployRunHarness.StartAsync(Spec, Hosts);
        var id = await before.DeployAsync(configJson: "{}");
        var first = await before.PlayHostsUntilTakenAsync(id, s => s.Kind == StepKind.Activate);
        await before.FinishAsync(first);
        var second = await before.PlayHostsUntilTakenAsync(id, s => s.Kind == StepKind.Activate);
        (await before.Store.GetDeployAsync(id, default))!.State.ShouldBe(DeployState.CuttingOver);

        await using var after = await before.CrashAndRestartAsync();
        await after.FinishAsync(second);
        await FinishThroughTheBakeWindowAsync(after, id);
    }

    [Fact]
    public async Task ServerDiesInTheBakeWindow_TheNextServerWaitsOnlyForWhatIsLeftOfIt()
    {
        await using var before = await DeployRunHarness.StartAsync(Spec, Hosts);
        var id = await before.DeployAsync(configJson: "{}");
        await before.PlayHostsAsync(id, DeployState.Verifying);
        before.Time.Advance(TimeSpan.FromSeconds(400));

        await using var after = await before.CrashAndRestartAsync();
        await after.WaitForStateAsync(id, DeployState.Verifying);
        // The restart took a second of the window: 199 s more ends it.
        after.Time.Advance(TimeSpan.FromSeconds(199));
        await after.PlayHostsAsync(id, DeployState.Succeeded);

        await AssertCompleteAndUniformAsync(after, id, "2.0.0");
        var bake = (await after.Store.ListPhasesAsync(id, default)).Single(p => p.Name == DeployState.Verifying);
        (bake.EndedAt!.Value - bake.StartedAt).ShouldBe(TimeSpan.FromSeconds(600), "the window ran from its recorded start, not again from the restart");
    }

    [Fact]
    public async Task ServerDiesInACanaryHold_TheNextServerHoldsUntilPromoted()
    {
        await using var before = await DeployRunHarness.StartAsync(Spec, Hosts);
        var id = await before.DeployAsync(canary: "1", configJson: "{}");
        await before.PlayHostsAsync(id, DeployState.Canary);

        await using var after = await before.CrashAndRestartAsync();
        (await after.Store.ListStepsAsync(id, default)).Count(s => s.Kind == StepKind.Activate).ShouldBe(1, "only the canary switched");
        // An hour on, still holding: only the promote ends this hold, so the other host switches after it.
        after.Time.Advance(TimeSpan.FromHours(1));
        var promotedAt = after.Time.GetUtcNow();
        (await after.Runner.RequestPromoteAsync(id, DeployState.Canary, "ann")).ShouldBeTrue();
        await FinishThroughTheBakeWindowAsync(after, id);
        (await after.Store.ListPhasesAsync(id, default)).Single(p => p.Name == DeployState.Promoting).StartedAt.ShouldBeGreaterThanOrEqualTo(promotedAt);
    }

    [Fact]
    public async Task ServerDiesRollingBack_TheNextServerBringsEveryHostBack()
    {
        await using var before = await DeployRunHarness.StartAsync(Spec, Hosts);
        var id = await before.DeployAsync(configJson: "{}");
        var inFlight = await before.PlayHostsUntilTakenAsync(id,
            stopAt: s => s.Kind == StepKind.Prepare && DeployRunHarness.VersionOf(s) == "1.0.0",
            fails: s => s.Kind == StepKind.Activate && s.Host == "web-2");
        (await before.Store.GetDeployAsync(id, default))!.State.ShouldBe(DeployState.RollingBack);

        await using var after = await before.CrashAndRestartAsync();
        await after.FinishAsync(inFlight);
        await after.PlayHostsAsync(id, DeployState.RolledBack);

        await AssertCompleteAndUniformAsync(after, id, "1.0.0");
    }

    private static async Task FinishThroughTheBakeWindowAsync(DeployRunHarness h, long id)
    {
        await h.PlayHostsAsync(id, DeployState.Verifying);
        h.Time.Advance(TimeSpan.FromSeconds(600));
        await h.PlayHostsAsync(id, DeployState.Succeeded);
        await AssertCompleteAndUniformAsync(h, id, "2.0.0");
    }

    /// <summary>Every phase closed, no step queued twice on a host, and every host's last switch is to <paramref name="release"/>.</summary>
    private static async Task AssertCompleteAndUniformAsync(DeployRunHarness h, long id, string release)
    {
        (await h.Store.ListPhasesAsync(id, default)).ShouldAllBe(p => p.EndedAt != null);
        var steps = await h.Store.ListStepsAsync(id, default);
        steps.ShouldAllBe(s => s.Status == StepStatus.Succeeded || s.Status == StepStatus.Failed);
        steps.GroupBy(s => (s.Host, s.Kind, DeployRunHarness.VersionOf(s))).ShouldAllBe(g => g.Count() == 1);
        steps.Count(s => s.Kind == StepKind.Migrate).ShouldBeLessThanOrEqualTo(1);
        var lastSwitch = steps.Where(s => s.Kind == StepKind.Activate && s.Status == StepStatus.Succeeded)
            .GroupBy(s => s.Host).ToDictionary(g => g.Key, g => DeployRunHarness.VersionOf(g.MaxBy(s => s.Id)!));
        lastSwitch.Keys.Order().ShouldBe(["web-1", "web-2"]);
        lastSwitch.Values.ShouldAllBe(v => v == release);
        (await h.Store.GetLiveVersionAsync(DeployRunHarness.App, "prod", default)).ShouldBe(release);
    }
}
