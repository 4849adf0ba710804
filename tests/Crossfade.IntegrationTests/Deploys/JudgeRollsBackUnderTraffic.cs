using Crossfade.Contracts.V1;
using Crossfade.Load;

namespace Crossfade.IntegrationTests.Deploys;

/// <summary>
/// The judge on a real fleet under shopper traffic: a release that fails most checkouts is rolled back
/// by the judge alone, and no request fails because of the judge's own moves (the split, its end, the
/// candidates stopping); in observe mode the same kind of release goes out, with the verdict on record.
/// A server restarted in a judged window is tested on a real server and store with the hosts played
/// (<c>DeployJudgedTests</c>).
/// </summary>
public sealed class JudgeRollsBackUnderTraffic
{
    private static string Judged(string spec, string mode) => spec.Replace("\nenvironments:",
        $"\njudge:\n  mode: {mode}\n  weight_percent: 40\n  min_seconds: 10\n  max_seconds: 60\n  warmup_seconds: 15\n  latency_shift_ms: 50\nenvironments:");

    [Fact]
    public async Task AFailingRelease_IsRolledBackByTheJudge_WithNoRequestLostToItsMoves_AndObserveModeNeverActs()
    {
        await using var fleet = await Fleet.StartAsync(nameof(JudgeRollsBackUnderTraffic));
        await fleet.ReapplyAsync(spec => Judged(spec, "enforce"));
        await fleet.PushAsync("1.0.0");
        // The critical path checks out listing 2, which works: only the shoppers' checkouts of 3 to 6 fail.
        await fleet.PushAsync("2.0.0", "GEARSHOP_FAILING_LISTINGS=3,4,5,6");
        await fleet.PushAsync("2.0.1", "GEARSHOP_FAILING_LISTINGS=3,4,5,6");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var traffic = fleet.Traffic(16, TimeSpan.FromMinutes(3), 2_000_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);
        await Task.Delay(1000);

        var judged = await fleet.DeployAsync("2.0.0");
        var servedAfterJudge = await fleet.ServedVersionsAsync();
        await fleet.ReapplyAsync(spec => Judged(spec, "observe"));
        var observed = await fleet.DeployAsync("2.0.1");
        await stop.CancelAsync();
        await load;

        judged.State.ShouldBe(DeployState.RolledBack, judged.Reason);
        judged.Reason!.ShouldStartWith("the judge failed 2.0.0: /checkout 5xx:");
        judged.Steps.ShouldNotContain(s => s.Kind == StepKind.Activate, "no host ever switched to it");
        var verdict = judged.Verdicts!.Last();
        (verdict.Outcome, verdict.Action, verdict.Final).ShouldBe((JudgeOutcome.Fail, "rolled back", true));
        verdict.Checks.ShouldContain(c => c.Check == "errors" && c.Group == "/checkout" && c.Outcome == JudgeOutcome.Fail && c.P < 0.001);
        servedAfterJudge.ShouldAllBe(v => v == "1.0.0");

        observed.State.ShouldBe(DeployState.Succeeded, "observe mode never acts");
        var would = observed.Verdicts!.Single(v => v.Final && v.Phase == DeployState.Judging);
        (would.Outcome, would.Action).ShouldBe((JudgeOutcome.Fail, "would have rolled back (observe mode)"));
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.1");

        var samples = traffic.Samples;
        samples.Count(s => s.Release == "2.0.0" && s.Status == 500).ShouldBeGreaterThan(0, "the bad release's own failures are the judge's evidence");
        samples.Where(s => s.Failed && !(s.Release is "2.0.0" or "2.0.1" && s.Status == 500))
            .ShouldBeEmpty("no request failed because of the split, its end, or a candidate stopping");
        samples.Count(s => s.Release == "2.0.0").ShouldBeLessThan(samples.Count(s => s.Release == "1.0.0"), "the candidate took a share, not all");
    }
}
