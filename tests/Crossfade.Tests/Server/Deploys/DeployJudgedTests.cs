using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Server.Deploys;

/// <summary>
/// The judged window on a fake clock: every web host splits, the judge reads the requests the hosts
/// shipped, and its verdict rolls back, cuts over, or holds — in enforce mode; in observe mode it only says.
/// </summary>
public sealed class DeployJudgedTests
{
    private const string Enforce = "judge:\n  mode: enforce\n  warmup_seconds: 0\n  max_seconds: 60\n";
    private const string Observe = "judge:\n  mode: observe\n  warmup_seconds: 0\n  max_seconds: 60\n";

    /// <summary>Plays the hosts into the judged window: both split; the window starts when the last one did.</summary>
    private static async Task<(DeployRunHarness H, long Id, DateTimeOffset Start)> ToTheWindowAsync(string spec)
    {
        var h = await DeployRunHarness.StartAsync(spec);
        var id = await h.DeployAsync();
        await h.PlayHostsAsync(id, DeployState.Judging);
        await h.AnswerUntilAsync(async () => (await h.Store.ListStepsAsync(id, default)).Count(s => s.Kind == StepKind.Split && s.Status == StepStatus.Succeeded) == 2);
        var start = (await h.Store.ListStepsAsync(id, default)).Where(s => s.Kind == StepKind.Split).Max(s => s.EndedAt!.Value);
        return (h, id, start);
    }

    /// <summary>Both releases on the same time: a tenth of the requests on the candidate, the checkouts failing on it when asked.</summary>
    private static async Task SameTrafficAsync(DeployRunHarness h, DateTimeOffset start, int candidateFailEvery = 0)
    {
        await h.TrafficAsync("1.0.0", 4_000, start, "/listings");
        await h.TrafficAsync("1.0.0", 1_000, start, "/checkout");
        await h.TrafficAsync("2.0.0", 400, start, "/listings");
        await h.TrafficAsync("2.0.0", 300, start, "/checkout", failEvery: candidateFailEvery);
    }

    [Fact]
    public async Task Enforce_FailingCheckouts_EndEverySplitAtOnce_AndTheDeployRollsBackWithTheVerdict()
    {
        var (h, id, start) = await ToTheWindowAsync(Enforce);
        await using var _ = h;
        await SameTrafficAsync(h, start, candidateFailEvery: 10);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        var played = await h.PlayHostsAsync(id, DeployState.RolledBack);

        var steps = await h.Store.ListStepsAsync(id, default);
        steps.Count(s => s.Kind == StepKind.Split).ShouldBe(4, "each host split, then ended its split");
        steps.Last(s => s.Kind == StepKind.Split).Id.ShouldBeLessThan(steps.First(s => s.Kind == StepKind.Discard).Id, "the splits end before any candidate stops");
        played.ShouldContain("web-1 discard 2.0.0");
        steps.ShouldNotContain(s => s.Kind == StepKind.Activate);
        var done = (await h.Store.GetDeployAsync(id, default))!;
        done.Reason!.ShouldContain("the judge failed 2.0.0: /checkout 5xx: 30 of 300 on 2.0.0 (10.0%) vs 0 of 1,000 on 1.0.0 (0.0%)");
        (await h.Store.GetLiveVersionAsync(DeployRunHarness.App, "prod", default)).ShouldBe("1.0.0");
        var final = (await h.Store.ListVerdictsAsync(id, default)).Last();
        (final.Outcome, final.Action, final.Final).ShouldBe((JudgeOutcome.Fail, "rolled back", true));
        final.ChecksJson.ShouldContain("\"group\":\"/checkout\"");
    }

    [Fact]
    public async Task Observe_FailingCheckouts_AreRecordedAsWouldHaveRolledBack_AndTheDeployGoesOn()
    {
        var (h, id, start) = await ToTheWindowAsync(Observe);
        await using var _ = h;
        await SameTrafficAsync(h, start, candidateFailEvery: 10);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        await h.PlayHostsAsync(id, DeployState.Succeeded);

        (await h.Store.GetLiveVersionAsync(DeployRunHarness.App, "prod", default)).ShouldBe("2.0.0");
        var final = (await h.Store.ListVerdictsAsync(id, default)).Single(v => v.Final);
        (final.Outcome, final.Action).ShouldBe((JudgeOutcome.Fail, "would have rolled back (observe mode)"));
    }

    [Fact]
    public async Task Enforce_AGoodRelease_PassesAfterTheMinimumTime_AndCutsOver()
    {
        var (h, id, start) = await ToTheWindowAsync(Enforce);
        await using var _ = h;
        await SameTrafficAsync(h, start);
        h.Time.Advance(TimeSpan.FromSeconds(35));

        var played = await h.PlayHostsAsync(id, DeployState.Succeeded);

        played.ShouldContain("web-1 activate 2.0.0");
        var final = (await h.Store.ListVerdictsAsync(id, default)).Single(v => v.Final && v.Phase == DeployState.Judging);
        (final.Outcome, final.Action).ShouldBe((JudgeOutcome.Pass, "cutting over"));
        final.CandidateRequests.ShouldBe(700);
    }

    [Fact]
    public async Task Enforce_TooFewRequestsByTheWindowsEnd_HoldsWithTheSplit_UntilAPersonPromotes()
    {
        var (h, id, start) = await ToTheWindowAsync(Enforce);
        await using var _ = h;
        await h.TrafficAsync("1.0.0", 90, start);
        await h.TrafficAsync("2.0.0", 10, start);
        h.Time.Advance(TimeSpan.FromSeconds(61));

        await h.AnswerUntilAsync(async () => (await h.Store.ListVerdictsAsync(id, default)).Any(v => v.Final));
        var held = (await h.Store.ListVerdictsAsync(id, default)).First(v => v.Final);
        held.Outcome.ShouldBe(JudgeOutcome.Insufficient);
        held.Action.ShouldStartWith("holding with the split in place");
        held.Summary.ShouldContain("10 on 2.0.0");
        (await h.Store.GetDeployAsync(id, default))!.State.ShouldBe(DeployState.Judging);
        // Three minutes of holding: the candidates are still checked, once a minute rather than every 5 s.
        var checksAtHold = (await h.Store.ListStepsAsync(id, default)).Count(s => s.Kind == StepKind.Check && s.Host == "web-1");
        var heldUntil = h.Time.GetUtcNow() + TimeSpan.FromMinutes(3);
        await h.AnswerUntilAsync(() =>
        {
            h.Time.Advance(TimeSpan.FromSeconds(2));
            return Task.FromResult(h.Time.GetUtcNow() >= heldUntil);
        });
        await h.AnswerQueuedAsync();
        ((await h.Store.ListStepsAsync(id, default)).Count(s => s.Kind == StepKind.Check && s.Host == "web-1") - checksAtHold).ShouldBeInRange(2, 4);

        (await h.Runner.RequestPromoteAsync(id, DeployState.Judging, "ann")).ShouldBeTrue();
        // The clock moves on too: the held window's next look may have taken the promote's wake-up.
        await h.AnswerUntilAsync(async () =>
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            return (await h.Store.GetDeployAsync(id, default))!.State == DeployState.Succeeded;
        });
        (await h.Store.GetLiveVersionAsync(DeployRunHarness.App, "prod", default)).ShouldBe("2.0.0");
        var promoted = (await h.Store.ListVerdictsAsync(id, default)).Last();
        (promoted.Final, promoted.Action).ShouldBe((true, "promoted by ann"), "a person's decision is on record as the window's end");
    }

    [Fact]
    public async Task ASplitThatFailsOnOneHost_EndsEverySplit_AndAbortsWithNoHostSwitched()
    {
        var h = await DeployRunHarness.StartAsync(Enforce);
        await using var _ = h;
        var id = await h.DeployAsync();

        await h.PlayHostsAsync(id, DeployState.Aborted, fails: s => s.Kind == StepKind.Split && s.Host == "web-2" && s.PayloadJson.Contains("\"splitPercent\":10", StringComparison.Ordinal));

        var steps = await h.Store.ListStepsAsync(id, default);
        steps.Count(s => s.Kind == StepKind.Split).ShouldBe(4, "each host split (or tried), then was told to end it");
        steps.ShouldNotContain(s => s.Kind == StepKind.Activate);
        steps.Count(s => s.Kind == StepKind.Discard).ShouldBe(2);
        (await h.Store.GetDeployAsync(id, default))!.Reason!.ShouldContain("no host was switched");
        (await h.Store.GetLiveVersionAsync(DeployRunHarness.App, "prod", default)).ShouldBe("1.0.0");
    }

    [Fact]
    public async Task ACanaryDeploy_IsNotJudged_ItsHoldIsAPersonsJudgement()
    {
        var h = await DeployRunHarness.StartAsync(Enforce);
        await using var _ = h;
        var id = await h.DeployAsync(canary: "1");

        await h.PlayHostsAsync(id, DeployState.Canary);

        (await h.Store.ListStepsAsync(id, default)).ShouldNotContain(s => s.Kind == StepKind.Split);
        (await h.Store.ListPhasesAsync(id, default)).ShouldNotContain(p => p.Name == DeployState.Judging);
    }

    [Fact]
    public async Task ServerRestartsInTheWindow_TheNextServerJudgesOn_WithTheVerdictsSoFar()
    {
        var (first, id, start) = await ToTheWindowAsync(Enforce);
        await using var _ = first;
        await first.TrafficAsync("1.0.0", 90, start);
        await first.TrafficAsync("2.0.0", 10, start);
        first.Time.Advance(TimeSpan.FromSeconds(3));
        await first.AnswerUntilAsync(async () => (await first.Store.ListVerdictsAsync(id, default)).Count > 0);

        await using var next = await first.CrashAndRestartAsync();
        await SameTrafficAsync(next, start.AddSeconds(5), candidateFailEvery: 10);
        // A second of the clock at a time (the resumed judge waits on it), well inside the window.
        await next.AnswerUntilAsync(async () =>
        {
            next.Time.Advance(TimeSpan.FromSeconds(1));
            return (await next.Store.GetDeployAsync(id, default))!.State == DeployState.RolledBack;
        });

        var verdicts = await next.Store.ListVerdictsAsync(id, default);
        verdicts[0].Outcome.ShouldBe(JudgeOutcome.Insufficient, "the look before the restart is on record");
        verdicts[^1].Outcome.ShouldBe(JudgeOutcome.Fail);
        (await next.Store.ListStepsAsync(id, default)).Count(s => s.Kind == StepKind.Split).ShouldBe(4, "the split is not asked for again: each host split once and ended it once");
    }
}
