using Crossfade.Core.Judging;
using MathNet.Numerics;

namespace Crossfade.Tests.Core.Judging;

public class ProportionTestTests
{
    [Fact]
    public void CandidateWorseP_FishersTeaTasting_IsSeventeenSeventieths() =>
        // Fisher's own example: 3 of 4 cups right against 1 of 4; the one-sided p-value is 17/70.
        ProportionTest.CandidateWorseP(3, 4, 1, 4).ShouldBe(17.0 / 70, 1e-12);

    [Theory]
    [InlineData(5, 100, 2, 400)]
    [InlineData(41, 612, 3, 5480)]
    [InlineData(0, 300, 4, 3000)]
    [InlineData(12, 1000, 10, 1000)]
    [InlineData(1, 10, 0, 10)]
    public void CandidateWorseP_IsTheHypergeometricUpperTail(int candidateErrors, int candidateTotal, int baselineErrors, int baselineTotal)
    {
        var population = candidateTotal + baselineTotal;
        var errors = candidateErrors + baselineErrors;
        // Each term from MathNet's log binomial coefficients (its Hypergeometric.PMF overflows at these sizes).
        var tail = Enumerable.Range(candidateErrors, Math.Min(errors, candidateTotal) - candidateErrors + 1)
            .Sum(x => Math.Exp(SpecialFunctions.BinomialLn(errors, x) + SpecialFunctions.BinomialLn(population - errors, candidateTotal - x)
                - SpecialFunctions.BinomialLn(population, candidateTotal)));

        ProportionTest.CandidateWorseP(candidateErrors, candidateTotal, baselineErrors, baselineTotal).ShouldBe(tail, tail * 1e-9 + 1e-300);
    }

    [Fact]
    public void CandidateWorseP_FailingCandidateAgainstAZeroErrorBaseline_IsTiny() =>
        ProportionTest.CandidateWorseP(9, 300, 0, 3000).ShouldBeLessThan(1e-8);

    [Fact]
    public void CandidateWorseP_NoFailuresAnywhere_IsOne() =>
        ProportionTest.CandidateWorseP(0, 300, 0, 3000).ShouldBe(1);

    [Fact]
    public void CandidateWorseP_MoreFailuresThanRequests_IsRefused() =>
        Should.Throw<ArgumentOutOfRangeException>(() => ProportionTest.CandidateWorseP(5, 4, 0, 10));
}
