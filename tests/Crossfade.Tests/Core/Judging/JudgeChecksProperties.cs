using Crossfade.Core.Judging;
using FsCheck;
using FsCheck.Fluent;

namespace Crossfade.Tests.Core.Judging;

/// <summary>
/// The checks' error rates over generated traffic: a candidate that is the same as the baseline passes
/// at least 98% of the time, and one worse by the configured size fails at least 95% of the time. Each
/// generated case (a traffic shape and sample sizes, 10% of requests on the candidate) is judged on 100
/// simulated windows.
/// </summary>
public class JudgeChecksProperties
{
    private const int Windows = 100;
    private static readonly JudgeThresholds Thresholds = JudgeThresholds.Default;

    /// <summary>A latency shape: median (100-400 ms), spread of the log-normal (0.2-0.5), candidate requests (300-800), and a seed.</summary>
    private static Arbitrary<(int MedianMs, double Sigma, int Candidates, int Seed)> LatencyShapes() =>
        Arb.From(from median in Gen.Choose(100, 400)
                 from sigma in Gen.Choose(20, 50)
                 from candidates in Gen.Choose(300, 800)
                 from seed in Gen.Choose(0, int.MaxValue)
                 select (median, sigma / 100.0, candidates, seed));

    /// <summary>
    /// An error shape: the baseline's 5xx share (0-0.5%), candidate requests (4,000-6,000: a one-point rise
    /// over a baseline that already fails needs more evidence than a latency shift), and a seed.
    /// </summary>
    private static Arbitrary<(double Rate, int Candidates, int Seed)> ErrorShapes() =>
        Arb.From(from rate in Gen.Choose(0, 50)
                 from candidates in Gen.Choose(4000, 6000)
                 from seed in Gen.Choose(0, int.MaxValue)
                 select (rate / 10_000.0, candidates, seed));

    [Fact]
    public void Latency_SameDistribution_PassesAtLeast98PercentOfWindows() =>
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(10), Prop.ForAll(LatencyShapes(), shape =>
            LatencyOutcomes(shape, slowdown: 1).Count(o => o == CheckOutcome.Pass).ShouldBeGreaterThanOrEqualTo(98, $"{shape}")));

    [Fact]
    public void Latency_SlowerByTheConfiguredSize_FailsAtLeast95PercentOfWindows() =>
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(10), Prop.ForAll(LatencyShapes(), shape =>
            LatencyOutcomes(shape, slowdown: 1 + Thresholds.LatencyShift).Count(o => o == CheckOutcome.Fail).ShouldBeGreaterThanOrEqualTo(95, $"{shape}")));

    [Fact]
    public void Errors_SameRate_PassAtLeast98PercentOfWindows() =>
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(10), Prop.ForAll(ErrorShapes(), shape =>
            ErrorOutcomes(shape, increase: 0).Count(o => o == CheckOutcome.Pass).ShouldBeGreaterThanOrEqualTo(98, $"{shape}")));

    [Fact]
    public void Errors_HigherByTheConfiguredSize_FailAtLeast95PercentOfWindows() =>
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(10), Prop.ForAll(ErrorShapes(), shape =>
            ErrorOutcomes(shape, increase: Thresholds.ErrorIncrease).Count(o => o == CheckOutcome.Fail).ShouldBeGreaterThanOrEqualTo(95, $"{shape}")));

    private static List<CheckOutcome> LatencyOutcomes((int MedianMs, double Sigma, int Candidates, int Seed) shape, double slowdown)
    {
        var random = new Random(shape.Seed);
        double Duration(double scale) => scale * shape.MedianMs * Math.Exp(shape.Sigma * Gaussian(random));
        return Enumerable.Range(0, Windows).Select(_ =>
        {
            var candidate = Enumerable.Range(0, shape.Candidates).Select(_ => Duration(slowdown)).ToArray();
            var baseline = Enumerable.Range(0, shape.Candidates * 9).Select(_ => Duration(1)).ToArray();
            return LatencyCheck.Compare("GET /listings", candidate, baseline, "2.0.0", "1.0.0", Thresholds).Outcome;
        }).ToList();
    }

    private static List<CheckOutcome> ErrorOutcomes((double Rate, int Candidates, int Seed) shape, double increase)
    {
        var random = new Random(shape.Seed);
        long Failures(int requests, double rate) => Enumerable.Range(0, requests).LongCount(_ => random.NextDouble() < rate);
        return Enumerable.Range(0, Windows).Select(_ =>
        {
            var baselineTotal = shape.Candidates * 9;
            return ErrorCheck.Compare("POST /checkout", Failures(shape.Candidates, shape.Rate + increase), shape.Candidates,
                Failures(baselineTotal, shape.Rate), baselineTotal, "2.0.0", "1.0.0", Thresholds).Outcome;
        }).ToList();
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
