using Crossfade.Core.Judging;
using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Judging;

/// <summary>One look of the judge over generated traffic: each check, the verdict, and the minimum evidence.</summary>
public sealed class JudgeLookTests
{
    private static readonly string[] Groups = ["/", "/listings/{id}", "/checkout", "/offers"];
    private static readonly JudgeSpec Spec = JudgeSpec.Default with { Mode = JudgeMode.Enforce };

    /// <summary>Traffic over the route groups, durations log-normal around 40 ms, failures at a rate; a group may be changed.</summary>
    private static ReleaseTraffic Traffic(string release, int requests, int seed, double errorRate = 0.0005,
        string? changed = null, double changedErrorRate = -1, double changedExtraMs = 0)
    {
        var random = new Random(seed);
        var traffic = new ReleaseTraffic(release);
        for (var i = 0; i < requests; i++)
        {
            var group = Groups[random.Next(Groups.Length)];
            var rate = group == changed && changedErrorRate >= 0 ? changedErrorRate : errorRate;
            var ms = 40 * Math.Exp(0.3 * Normal(random)) + (group == changed ? changedExtraMs : 0);
            traffic.Add(group, random.NextDouble() < rate, ms);
        }
        return traffic;
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    private static JudgeEvidence Evidence(ReleaseTraffic candidate, ReleaseTraffic baseline, int seconds = 45,
        IReadOnlyList<LoggedError>? errors = null, IReadOnlyList<InstanceProblem>? problems = null) =>
        new(candidate, baseline, TimeSpan.FromSeconds(seconds), errors ?? [], problems ?? []);

    [Fact]
    public void SameRelease_WithEnoughRequestsAndTime_Passes()
    {
        var verdict = JudgeLook.Decide(Evidence(Traffic("1.5.0", 1_500, 1), Traffic("1.4.0", 13_500, 2)), Spec);

        verdict.Outcome.ShouldBe(CheckOutcome.Pass, verdict.Summary);
        verdict.Summary.ShouldStartWith("1.5.0 is not worse than 1.4.0");
        verdict.CandidateRequests.ShouldBe(1_500);
    }

    [Fact]
    public void SameRelease_BeforeTheMinimumTime_IsInsufficient_NeverAnEarlyPass()
    {
        var verdict = JudgeLook.Decide(Evidence(Traffic("1.5.0", 1_500, 1), Traffic("1.4.0", 13_500, 2), seconds: 20), Spec);

        verdict.Outcome.ShouldBe(CheckOutcome.Insufficient);
        verdict.Summary.ShouldContain("too few requests to tell yet");
    }

    [Fact]
    public void FewRequests_AreInsufficient_WhateverTheTime()
    {
        var verdict = JudgeLook.Decide(Evidence(Traffic("1.5.0", 60, 1), Traffic("1.4.0", 540, 2), seconds: 300), Spec);

        verdict.Outcome.ShouldBe(CheckOutcome.Insufficient);
        verdict.Summary.ShouldContain("60 on 1.5.0");
    }

    [Fact]
    public void ThreePercentOfCheckoutsFailing_Fails_NamingTheRouteGroup()
    {
        var candidate = Traffic("1.5.0", 1_500, 3, changed: "/checkout", changedErrorRate: 0.03);

        var verdict = JudgeLook.Decide(Evidence(candidate, Traffic("1.4.0", 13_500, 4), seconds: 20), Spec);

        verdict.Outcome.ShouldBe(CheckOutcome.Fail, "a fail needs no minimum time");
        verdict.Summary.ShouldContain("/checkout 5xx");
        verdict.Summary.ShouldContain("fails");
    }

    [Fact]
    public void OnePage150MsSlower_Fails_OnThatPage()
    {
        var candidate = Traffic("1.5.0", 1_000, 5, changed: "/offers", changedExtraMs: 150);

        var verdict = JudgeLook.Decide(Evidence(candidate, Traffic("1.4.0", 9_000, 6)), Spec);

        verdict.Outcome.ShouldBe(CheckOutcome.Fail);
        verdict.Checks.Where(c => c.Outcome == CheckOutcome.Fail).Select(c => (c.Check, c.Group)).ShouldContain((LatencyCheck.Name, "/offers"));
    }

    [Fact]
    public void AFewMillisecondsSlower_Passes()
    {
        var candidate = Traffic("1.5.0", 1_500, 7, changed: "/offers", changedExtraMs: 3);

        JudgeLook.Decide(Evidence(candidate, Traffic("1.4.0", 13_500, 8)), Spec).Outcome.ShouldBe(CheckOutcome.Pass);
    }

    [Fact]
    public void ANewError_LoggedOftenEnough_FailsAtOnce_EvenWhenEveryAnswerIs200()
    {
        var errors = new[] { new LoggedError("f1", "NullReferenceException in OfferPricing.Apply", 3, KnownFromBaseline: false) };

        var verdict = JudgeLook.Decide(Evidence(Traffic("1.5.0", 100, 9, errorRate: 0), Traffic("1.4.0", 900, 10), seconds: 12, errors: errors), Spec);

        verdict.Outcome.ShouldBe(CheckOutcome.Fail);
        verdict.Summary.ShouldContain("new error on 1.5.0, logged 3 times and never by 1.4.0: NullReferenceException in OfferPricing.Apply");
    }

    [Fact]
    public void AnError_TheBaselineLogsToo_OrSeenTooRarely_FailsNothing()
    {
        var errors = new[]
        {
            new LoggedError("old", "timeout talking to payments", 50, KnownFromBaseline: true),
            new LoggedError("rare", "a new but rare error", 2, KnownFromBaseline: false),
        };

        var verdict = JudgeLook.Decide(Evidence(Traffic("1.5.0", 1_500, 11), Traffic("1.4.0", 13_500, 12), errors: errors), Spec);

        verdict.Outcome.ShouldBe(CheckOutcome.Pass, verdict.Summary);
    }

    [Fact]
    public void ACrashedCandidate_FailsAtOnce()
    {
        var problems = new[] { new InstanceProblem("web-2", Crashed: true, "no running instance of 1.5.0 to check: it exited or was stopped") };

        var verdict = JudgeLook.Decide(Evidence(Traffic("1.5.0", 30, 13), Traffic("1.4.0", 270, 14), seconds: 21, problems: problems), Spec);

        verdict.Outcome.ShouldBe(CheckOutcome.Fail);
        verdict.Checks.ShouldContain(c => c.Check == InstantChecks.Crash && c.Group == "web-2");
    }

    [Fact]
    public void AbsoluteLimits_FailAReleaseAsBadAsTheOldOne()
    {
        var spec = Spec with { MaxErrorRate = 0.01, MaxP95Ms = 500 };

        var errors = JudgeLook.Decide(Evidence(Traffic("1.5.0", 1_500, 15, errorRate: 0.05), Traffic("1.4.0", 13_500, 16, errorRate: 0.05)), spec);
        var fine = JudgeLook.Decide(Evidence(Traffic("1.5.0", 1_500, 17), Traffic("1.4.0", 13_500, 18)), spec);

        errors.Outcome.ShouldBe(CheckOutcome.Fail);
        errors.Checks.ShouldContain(c => c.Check == InstantChecks.ErrorLimit && c.Outcome == CheckOutcome.Fail);
        fine.Outcome.ShouldBe(CheckOutcome.Pass, fine.Summary);
    }

    [Fact]
    public void ARouteOnlyTheCandidateServes_DoesNotHoldThePassBack()
    {
        var candidate = Traffic("1.5.0", 1_500, 19);
        for (var i = 0; i < 20; i++)
            candidate.Add("/new-feature", false, 35);

        JudgeLook.Decide(Evidence(candidate, Traffic("1.4.0", 13_500, 20)), Spec).Outcome.ShouldBe(CheckOutcome.Pass);
    }

    [Fact]
    public void ANewRouteThatFails_IsHeldToTheBaselinesRoutesTogether_AndFails()
    {
        var candidate = Traffic("1.5.0", 1_500, 25);
        for (var i = 0; i < 20; i++)
            candidate.Add("/new-feature", true, 35);

        var verdict = JudgeLook.Decide(Evidence(candidate, Traffic("1.4.0", 13_500, 26), seconds: 10), Spec);

        verdict.Outcome.ShouldBe(CheckOutcome.Fail);
        verdict.Summary.ShouldContain("/new-feature 5xx: 20 of 20 on 1.5.0");
    }

    [Fact]
    public void TheWarmUp_CountsForErrorsButNotForLatency()
    {
        var slowWhileCold = Traffic("1.5.0", 1_500, 21);
        var failingWhileCold = Traffic("1.5.0", 1_500, 22);
        for (var i = 0; i < 300; i++)
        {
            slowWhileCold.Add("/listings/{id}", false, 400, timed: false);
            failingWhileCold.Add("/checkout", true, 40, timed: false);
        }

        JudgeLook.Decide(Evidence(slowWhileCold, Traffic("1.4.0", 13_500, 23)), Spec).Outcome.ShouldBe(CheckOutcome.Pass, "a cold start is slow, not wrong");
        JudgeLook.Decide(Evidence(failingWhileCold, Traffic("1.4.0", 13_500, 24)), Spec).Outcome.ShouldBe(CheckOutcome.Fail);
        slowWhileCold.Total.ShouldBe(1_800);
        slowWhileCold.All.Ms.Count.ShouldBe(1_500);
    }

    [Fact]
    public void SameRelease_OverManyWindows_NeverFails()
    {
        // 200 windows of the same release on both sides, four route groups, two checks each: the
        // significance divided among them keeps false alarms rare; none is expected in this many.
        var fails = Enumerable.Range(0, 200)
            .Count(seed => JudgeLook.Decide(Evidence(Traffic("1.5.0", 800, seed), Traffic("1.4.0", 7_200, seed + 10_000)), Spec).Outcome == CheckOutcome.Fail);

        fails.ShouldBe(0);
    }
}
