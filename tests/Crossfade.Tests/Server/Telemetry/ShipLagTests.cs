using Crossfade.Server.Telemetry;

namespace Crossfade.Tests.Server.Telemetry;

public sealed class ShipLagTests
{
    [Theory]
    [InlineData(-5_000, "access_ship_lag_ms_le_250")]
    [InlineData(0, "access_ship_lag_ms_le_250")]
    [InlineData(250, "access_ship_lag_ms_le_250")]
    [InlineData(251, "access_ship_lag_ms_le_500")]
    [InlineData(1_999, "access_ship_lag_ms_le_2000")]
    [InlineData(29_000, "access_ship_lag_ms_le_30000")]
    [InlineData(3_600_000, "access_ship_lag_ms_le_inf")]
    public void CounterOf_PutsALagInTheFirstBucketItFits(int ms, string counter) =>
        ShipLag.CounterOf(TimeSpan.FromMilliseconds(ms)).ShouldBe(counter);
}
