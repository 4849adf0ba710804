using Crossfade.Core.Judging;

namespace Crossfade.Tests.Core.Judging;

public class ChecksTests
{
    [Fact]
    public void ErrorCheck_FailingCheckouts_FailsWithASentenceAPersonCanRead()
    {
        var result = ErrorCheck.Compare("POST /checkout", 41, 612, 3, 5480, "1.5.0", "1.4.0", JudgeThresholds.Default);

        result.Outcome.ShouldBe(CheckOutcome.Fail);
        result.Sentence.ShouldBe("POST /checkout 5xx: 41 of 612 on 1.5.0 (6.7%) vs 3 of 5,480 on 1.4.0 (0.055%); p < 0.001; fails");
    }

    [Fact]
    public void ErrorCheck_ATinySignificantRise_IsUnderTheFloor_AndPasses()
    {
        // 0.01% against 0.02% on a million requests each: significant, and too small to matter.
        var result = ErrorCheck.Compare("GET /listings", 200, 1_000_000, 100, 1_000_000, "2", "1", JudgeThresholds.Default);

        result.P.ShouldBeLessThan(0.001);
        result.Outcome.ShouldBe(CheckOutcome.Pass);
    }

    [Fact]
    public void ErrorCheck_FewRequestsAndNoErrors_IsInsufficient() =>
        ErrorCheck.Compare("GET /", 0, 50, 0, 500, "2", "1", JudgeThresholds.Default).Outcome.ShouldBe(CheckOutcome.Insufficient);

    [Fact]
    public void LatencyCheck_OnePageSlowerBy150Ms_Fails()
    {
        var random = new Random(7);
        var baseline = Enumerable.Range(0, 2000).Select(_ => 40 + random.NextDouble() * 30).ToArray();
        var candidate = Enumerable.Range(0, 250).Select(_ => 190 + random.NextDouble() * 30).ToArray();

        var result = LatencyCheck.Compare("GET /listings", candidate, baseline, "2", "1", JudgeThresholds.Default);

        result.Outcome.ShouldBe(CheckOutcome.Fail);
        result.Sentence.ShouldContain("median 205 ms vs 55 ms");
    }

    [Fact]
    public void LatencyCheck_SlowerByAFewMilliseconds_IsUnderTheFloor_AndPasses()
    {
        var random = new Random(11);
        var baseline = Enumerable.Range(0, 5000).Select(_ => 40 + random.NextDouble() * 30).ToArray();
        var candidate = Enumerable.Range(0, 2000).Select(_ => 43 + random.NextDouble() * 30).ToArray();

        var result = LatencyCheck.Compare("GET /listings", candidate, baseline, "2", "1", JudgeThresholds.Default);

        result.P.ShouldBeLessThan(0.001, "3 ms slower on thousands of requests is real");
        result.Outcome.ShouldBe(CheckOutcome.Pass, "and too small to roll back for");
    }

    [Fact]
    public void LatencyCheck_OnlyTheSlowestRequestsMuchSlower_FailsOnTheTail()
    {
        var random = new Random(5);
        var baseline = Enumerable.Range(0, 3000).Select(_ => 40 + random.NextDouble() * 30).ToArray();
        // Nine in ten requests as before, one in ten 300 ms slower: the median barely moves, the p95 does.
        var candidate = Enumerable.Range(0, 600).Select(i => 40 + random.NextDouble() * 30 + (i % 10 == 0 ? 300 : 0)).ToArray();

        var result = LatencyCheck.Compare("GET /search", candidate, baseline, "2", "1", JudgeThresholds.Default);

        result.Outcome.ShouldBe(CheckOutcome.Fail, result.Sentence);
        result.P.ShouldBeLessThan(0.001);
    }

    [Fact]
    public void Checks_ARouteOnlyTheCandidateServes_CannotPass()
    {
        ErrorCheck.Compare("GET /new", 300, 300, 0, 0, "2", "1", JudgeThresholds.Default).Outcome.ShouldBe(CheckOutcome.Insufficient);
        LatencyCheck.Compare("GET /new", Enumerable.Repeat(50.0, 300).ToArray(), [], "2", "1", JudgeThresholds.Default).Outcome.ShouldBe(CheckOutcome.Insufficient);
    }

    [Fact]
    public void Verdict_OneFailingCheck_Fails_AllPassing_Passes_OtherwiseInsufficient()
    {
        CheckResult With(CheckOutcome outcome) => new("errors", "GET /", outcome, 300, 3000, 0, 0, 1, 0, "");

        Verdict.Of([With(CheckOutcome.Pass), With(CheckOutcome.Fail), With(CheckOutcome.Insufficient)]).ShouldBe(CheckOutcome.Fail);
        Verdict.Of([With(CheckOutcome.Pass), With(CheckOutcome.Pass)]).ShouldBe(CheckOutcome.Pass);
        Verdict.Of([With(CheckOutcome.Pass), With(CheckOutcome.Insufficient)]).ShouldBe(CheckOutcome.Insufficient);
        Verdict.Of([]).ShouldBe(CheckOutcome.Insufficient);
    }
}
