using Crossfade.Core.Judging;
using MathNet.Numerics.Distributions;

namespace Crossfade.Tests.Core.Judging;

public class NormalDistributionTests
{
    [Theory]
    [InlineData(-6.0)]
    [InlineData(-1.5)]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(1.6448536269514722)]
    [InlineData(2.8)]
    [InlineData(3.090232306167813)]
    [InlineData(5.5)]
    [InlineData(9.0)]
    public void UpperTail_MatchesMathNet_ToTwelveDigits(double z)
    {
        var expected = 1 - Normal.CDF(0, 1, z);
        if (z > 5)
            expected = Normal.CDF(0, 1, -z);

        NormalDistribution.UpperTail(z).ShouldBe(expected, Math.Abs(expected) * 1e-12 + 1e-300);
    }

    [Theory]
    [InlineData(1.6448536269514722, 0.05)]
    [InlineData(2.3263478740408408, 0.01)]
    [InlineData(3.090232306167813, 0.001)]
    public void UpperTail_AtTheTablesCriticalValues_IsTheirLevel(double z, double level) =>
        NormalDistribution.UpperTail(z).ShouldBe(level, level * 1e-9);
}
