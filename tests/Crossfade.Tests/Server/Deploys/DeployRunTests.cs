using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Server.Deploys;

/// <summary>
/// The server's side of a deploy on a fake clock: bake windows, canary holds and step timeouts pass when
/// the test moves time, never by sleeping; the hosts are played by the test.
/// </summary>
public sealed class DeployRunTests
{
    [Fact]
    public async Task BakeWindow_EndsOnTheInjectedClock_AndOnlyThenStopsTheOldInstances()
    {
        await using var h = await DeployRunHarness.StartAsync("bake_seconds: 600\n");
        var id = await h.DeployAsync();

        var forward = await h.PlayHostsAsync(id, DeployState.Verifying);
        forward.ShouldNotContain(s => s.Contains("finalize"));
        h.Time.Advance(TimeSpan.FromSeconds(600));
        var after = await h.PlayHostsAsync(id, DeployState.Succeeded);

        after.Order().ShouldBe(["web-1 finalize 2.0.0", "web-2 finalize 2.0.0"]);
        var bake = (await h.Store.ListPhasesAsync(id, default)).Single(p => p.Name == DeployState.Verifying);
        (bake.EndedAt!.Value - bake.StartedAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(600));
        (await h.Store.GetLiveVersionAsync(DeployRunHarness.App, "prod", default)).ShouldBe("2.0.0");
    }

    [Fact]
    public async Task RollbackRequest_DuringTheBakeWindow_SendsEveryHostBackAtOnce()
    {
        await using var h = await DeployRunHarness.StartAsync("bake_seconds: 600\n");
        var id = await h.DeployAsync();
        await h.PlayHostsAsync(id, DeployState.Verifying);

        (await h.Runner.RequestRollbackAsync(id, DeployState.Verifying, "bob")).ShouldBeTrue();
        var back = await h.PlayHostsAsync(id, DeployState.RolledBack);

        back.Order().ShouldBe(["web-1 activate 1.0.0", "web-1 prepare 1.0.0", "web-2 activate 1.0.0", "web-2 prepare 1.0.0"]);
        var done = (await h.Store.GetDeployAsync(id, default))!;
        done.Reason!.ShouldContain("rolled back by bob during verification");
        done.Reason!.ShouldContain("every host is back on 1.0.0");
        (await h.Store.GetLiveVersionAsync(DeployRunHarness.App, "prod", default)).ShouldBe("1.0.0");
    }

    [Fact]
    public async Task StepWithNoAnswer_FailsAtItsTimeoutOnTheInjectedClock_AndTheDeployAborts()
    {
        await using var h = await DeployRunHarness.StartAsync();
        var id = await h.DeployAsync();
        // Both hosts take their prepare step and never answer, as agents that died would.
        await WaitForStepsAsync(h, id, 2);
        foreach (var host in new[] { "web-1", "web-2" })
            (await h.Store.TakeNextStepAsync(host, h.Time.GetUtcNow(), default)).ShouldNotBeNull();

        // A minute at a time, until the steps time out: the deploy may start its wait a moment after they were queued.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await h.Store.GetDeployAsync(id, default))!.State == DeployState.Preparing
            && !(await h.Store.ListStepsAsync(id, default)).Any(s => s.Kind == StepKind.Discard))
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the unanswered steps never timed out");
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(20);
        }
        var cleanUp = await h.PlayHostsAsync(id, DeployState.Aborted);

        var done = (await h.Store.GetDeployAsync(id, default))!;
        done.Reason!.ShouldContain("within 300s");
        done.Reason!.ShouldContain("the fleet still serves 1.0.0");
        cleanUp.Order().ShouldBe(["web-1 discard 2.0.0", "web-2 discard 2.0.0"]);
        var prepares = (await h.Store.ListStepsAsync(id, default)).Where(s => s.Kind == StepKind.Prepare).ToList();
        prepares.ShouldAllBe(s => s.Status == StepStatus.Failed && s.Message!.StartsWith("no answer from"));
        (prepares.Max(s => s.EndedAt!.Value) - prepares.Min(s => s.StartedAt!.Value)).ShouldBeInRange(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(7));
    }

    [Fact]
    public async Task ActivateFailingOnOneHost_SendsBothHostsBack_AndEndsRolledBack()
    {
        await using var h = await DeployRunHarness.StartAsync();
        var id = await h.DeployAsync();

        var steps = await h.PlayHostsAsync(id, DeployState.RolledBack, fails: s => s.Host == "web-2" && s.Kind == StepKind.Activate && s.PayloadJson.Contains("\"2.0.0\""));

        steps.ShouldContain("web-1 activate 1.0.0");
        steps.ShouldContain("web-2 activate 1.0.0");
        (await h.Store.GetDeployAsync(id, default))!.Reason!.ShouldStartWith("web-2: activate failed: it broke", Case.Sensitive);
    }

    [Fact]
    public async Task CanaryHold_PromotesWhenItsTimePassesOnTheInjectedClock_AndOnlyThenSwitchesTheOtherHost()
    {
        await using var h = await DeployRunHarness.StartAsync();
        var draft = new Crossfade.Server.Storage.DeployRecord(0, DeployRunHarness.App, "prod", DeployKind.Deploy, "2.0.0", "1.0.0", DeployState.Queued, "ann", "cli",
            h.Time.GetUtcNow(), null, null, Canary: "1", CanaryHoldSeconds: 120);
        var id = (await h.Store.CreateDeployAsync(draft, null, false, default)).Deploy.Id;
        h.Runner.Launch(id);

        var first = await h.PlayHostsAsync(id, DeployState.Canary);
        first.ShouldContain("web-1 activate 2.0.0");
        first.ShouldNotContain("web-2 activate 2.0.0");
        h.Time.Advance(TimeSpan.FromSeconds(120));
        var rest = await h.PlayHostsAsync(id, DeployState.Succeeded);

        rest.ShouldBe(["web-2 activate 2.0.0"]);
    }

    [Fact]
    public async Task CanaryAbort_SendsTheCanaryBack_AndStopsTheCandidatesThatNeverSwitched()
    {
        await using var h = await DeployRunHarness.StartAsync();
        var id = await h.DeployAsync(canary: "1");
        await h.PlayHostsAsync(id, DeployState.Canary);

        (await h.Runner.RequestRollbackAsync(id, DeployState.Canary, "bob")).ShouldBeTrue();
        var back = await h.PlayHostsAsync(id, DeployState.RolledBack);

        back.Order().ShouldBe(["web-1 activate 1.0.0", "web-1 prepare 1.0.0", "web-2 discard 2.0.0"]);
        var done = (await h.Store.GetDeployAsync(id, default))!;
        done.Reason!.ShouldContain("canary aborted by bob", Case.Sensitive);
        done.Reason!.ShouldContain("the other hosts never switched", Case.Sensitive);
        (await h.Runner.RequestPromoteAsync(id, DeployState.Canary, "ann")).ShouldBeFalse("the hold is over");
    }

    [Fact]
    public async Task HostThatCannotGoBack_EndsTheDeployMixed_NamingIt()
    {
        await using var h = await DeployRunHarness.StartAsync();
        var id = await h.DeployAsync();

        await h.PlayHostsAsync(id, DeployState.Mixed, fails: s => s.Host == "web-2" && s.Kind == StepKind.Activate);

        var done = (await h.Store.GetDeployAsync(id, default))!;
        done.Reason!.ShouldContain("the fleet is mixed: could not switch web-2 (it broke) back to 1.0.0", Case.Sensitive);
        (await h.Store.GetLiveVersionAsync(DeployRunHarness.App, "prod", default)).ShouldBe("1.0.0");
    }

    private static async Task WaitForStepsAsync(DeployRunHarness h, long id, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await h.Store.ListStepsAsync(id, default)).Count < count)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the deploy never queued its steps");
            await Task.Delay(10);
        }
    }
}
