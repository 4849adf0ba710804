using Crossfade.Core.Judging;

namespace Crossfade.Tests.Core.Judging;

public class RankTestTests
{
    [Fact]
    public void CandidateSlowerP_EveryCandidateSlower_HasTheLargestU() =>
        RankTest.CandidateSlowerP([3, 4, 5], [1, 2]).U.ShouldBe(6);

    [Fact]
    public void CandidateSlowerP_WithTies_GivesAverageRanksAndTheTieCorrectedNormalTail()
    {
        // Ranks of 1,2,2,3,3,3,4: 1, 2.5, 2.5, 5, 5, 5, 7. Candidate {2,3,3,4} takes 2.5+5+5+7 = 19.5, so U = 19.5 - 10 = 9.5.
        var (p, u) = RankTest.CandidateSlowerP([2, 3, 3, 4], [1, 2, 3]);

        u.ShouldBe(9.5);
        // mean 6, variance 4*3/12 * (8 - (6 + 24) / 42) = 8 - 30/42; z = (9.5 - 6 - 0.5) / sqrt(that).
        var z = 3 / Math.Sqrt(8 - 30.0 / 42);
        p.ShouldBe(NormalDistribution.UpperTail(z), 1e-12);
    }

    [Fact]
    public void CandidateSlowerP_CandidateFaster_IsNotSignificant() =>
        RankTest.CandidateSlowerP([1, 2, 3, 4, 5, 6], [10, 11, 12, 13, 14, 15]).P.ShouldBeGreaterThan(0.99);

    [Fact]
    public void CandidateSlowerP_AllEqual_IsOne() =>
        RankTest.CandidateSlowerP([5, 5, 5], [5, 5]).P.ShouldBe(1);
}
