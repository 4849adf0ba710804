using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Specs;

public class JudgeSpecTests
{
    private const string Base = "app: shop\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n      web-1: [web]\n";

    [Fact]
    public void Parse_NoJudge_IsObserveModeWithTheDefaults()
    {
        var spec = AppSpecParser.Parse(Base).Spec!;

        spec.Judging.ShouldBe(JudgeSpec.Default);
        spec.Judging.Mode.ShouldBe(JudgeMode.Observe);
        spec.Judging.WeightPercent.ShouldBe(10);
        spec.Judging.Thresholds.MinRequests.ShouldBe(200);
    }

    [Fact]
    public void Parse_EveryThreshold_IsRead()
    {
        var spec = AppSpecParser.Parse(Base + """
            judge:
              mode: enforce
              weight_percent: 20
              min_seconds: 40
              max_seconds: 120
              on_insufficient: abort
              warmup_seconds: 15
              new_error_min: 5
              count_4xx: true
              min_requests: 500
              significance: 0.0005
              error_increase_percent: 2.5
              latency_shift_percent: 30
              latency_shift_ms: 50
              max_error_rate_percent: 5
              max_p95_ms: 800
            """).Spec!.Judging;

        spec.Mode.ShouldBe(JudgeMode.Enforce);
        (spec.WeightPercent, spec.MinSeconds, spec.MaxSeconds, spec.WarmupSeconds, spec.NewErrorMin).ShouldBe((20, 40, 120, 15, 5));
        spec.OnInsufficient.ShouldBe(InsufficientAction.Abort);
        spec.Count4xx.ShouldBeTrue();
        spec.Thresholds.ShouldBe(new Crossfade.Core.Judging.JudgeThresholds(0.0005, 0.025, 0.3, 50, 500));
        spec.MaxErrorRate.ShouldBe(0.05);
        spec.MaxP95Ms.ShouldBe(800);
    }

    [Fact]
    public void Parse_BadJudge_NamesEveryProblemWithItsPlace()
    {
        var result = AppSpecParser.Parse(Base + """
            judge:
              mode: yolo
              weight_percent: 80
              min_seconds: 60
              max_seconds: 30
              significance: lots
              on_insufficient: shrug
              weight: 10
            """);

        result.Spec.ShouldBeNull();
        var errors = result.Errors.Select(e => $"{e.Field}: {e.Message}").ToList();
        errors.ShouldContain(e => e.StartsWith("judge.mode: must be one of observe, enforce, not 'yolo'"));
        errors.ShouldContain(e => e.StartsWith("judge.weight_percent: must be between 1 and 50, not 80"));
        errors.ShouldContain(e => e.StartsWith("judge.max_seconds: must be at least min_seconds (60), not 30"));
        errors.ShouldContain(e => e.StartsWith("judge.significance: must be a number"));
        errors.ShouldContain(e => e.StartsWith("judge.on_insufficient: must be one of hold, promote, abort"));
        errors.ShouldContain(e => e.StartsWith("judge.weight"));
        result.Errors.ShouldAllBe(e => e.Line > 6);
    }
}
