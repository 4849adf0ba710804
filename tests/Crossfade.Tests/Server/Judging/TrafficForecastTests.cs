using Crossfade.Core.Specs;
using Crossfade.Server.Judging;
using Crossfade.Server.Storage;

namespace Crossfade.Tests.Server.Judging;

/// <summary>The warning a judged window gives when it opens at a quiet time: from the environment's recent per-minute traffic.</summary>
public sealed class TrafficForecastTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-forecast-").FullName;
    private readonly SqliteStore _store;
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 4, 30, 20, TimeSpan.Zero);

    public TrafficForecastTests() => _store = new SqliteStore(Path.Combine(_dir, "crossfade.db"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static JudgeWindow Window => new("shop", "prod", "2.0.0", "1.0.0", Now, JudgeSpec.Default);

    /// <summary>
    /// Requests per minute for the ten minutes before now, the last whole minute given its own count; and
    /// <paramref name="lastSixty"/> raw requests in the sixty seconds before now.
    /// </summary>
    private async Task SeedAsync(long perMinute, long lastMinute, long lastSixty)
    {
        var minutes = Enumerable.Range(1, 10).Select(back => Now.ToUnixTimeSeconds() / 60 - back)
            .Select(m => new MinuteRollup(m, "shop", "prod", "web-1", "1.0.0", "/", "GET", m == Now.ToUnixTimeSeconds() / 60 - 1 ? lastMinute : perMinute, 0, 1, ""))
            .ToList();
        var raw = Enumerable.Range(0, (int)lastSixty)
            .Select(i => new StoredAccess(Now.AddMilliseconds(-59_000.0 * i / Math.Max(1, lastSixty)), "web-1", "shop", "prod", "1.0.0", "GET", "/", "/", 200, 1, 10))
            .ToList();
        await _store.IngestAsync(new IngestWrite("web-1", 1, raw.Count, raw, [], minutes, new Dictionary<string, long>(), Now), default);
    }

    [Fact]
    public async Task BusyTraffic_GivesNoWarning()
    {
        await SeedAsync(perMinute: 6_000, lastMinute: 6_000, lastSixty: 6_000);

        (await new TrafficForecast(_store).WarnAsync(Window, Now, default)).ShouldBeNull();
    }

    [Fact]
    public async Task AQuietHour_WarnsWithTheFiguresAndWhereToLook()
    {
        // 30 a minute, 10% of it over the 290 s after the warm-up: about 15 requests, and a pass needs 200.
        await SeedAsync(perMinute: 30, lastMinute: 30, lastSixty: 30);

        var warning = await new TrafficForecast(_store).WarnAsync(Window, Now, default);

        warning.ShouldNotBeNull();
        warning.ShouldContain("30 requests a minute");
        warning.ShouldContain("about 15 requests in the 290 s window, and a pass needs 200");
        warning.ShouldContain("crossfade traffic shop --env prod");
    }

    [Fact]
    public async Task TrafficThatJustFellAway_CountsAsGone_EvenWhileTheLastWholeMinuteWasBusy()
    {
        // Busy until about 40 s ago: the last whole minute (4:29) was busy, the last sixty seconds are not.
        await SeedAsync(perMinute: 6_000, lastMinute: 6_000, lastSixty: 10);

        var warning = await new TrafficForecast(_store).WarnAsync(Window, Now, default);

        warning.ShouldNotBeNull();
        warning.ShouldContain("10 requests a minute");
    }
}
