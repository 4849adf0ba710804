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

    /// <summary>Requests per minute for the ten minutes before now, the last whole minute given its own count.</summary>
    private async Task SeedAsync(long perMinute, long lastMinute)
    {
        var minutes = Enumerable.Range(1, 10).Select(back => Now.ToUnixTimeSeconds() / 60 - back)
            .Select(m => new MinuteRollup(m, "shop", "prod", "web-1", "1.0.0", "/", "GET", m == Now.ToUnixTimeSeconds() / 60 - 1 ? lastMinute : perMinute, 0, 1, ""))
            .ToList();
        await _store.IngestAsync(new IngestWrite("web-1", 1, 0, [], [], minutes, new Dictionary<string, long>(), Now), default);
    }

    [Fact]
    public async Task BusyTraffic_GivesNoWarning()
    {
        await SeedAsync(perMinute: 6_000, lastMinute: 6_000);

        (await new TrafficForecast(_store).WarnAsync(Window, Now, default)).ShouldBeNull();
    }

    [Fact]
    public async Task AQuietHour_WarnsWithTheFiguresAndWhereToLook()
    {
        // 30 a minute, 10% of it over the 290 s after the warm-up: about 15 requests, and a pass needs 200.
        await SeedAsync(perMinute: 30, lastMinute: 30);

        var warning = await new TrafficForecast(_store).WarnAsync(Window, Now, default);

        warning.ShouldNotBeNull();
        warning.ShouldContain("30 requests a minute");
        warning.ShouldContain("about 15 requests in the 290 s window, and a pass needs 200");
        warning.ShouldContain("crossfade traffic shop --env prod");
    }

    [Fact]
    public async Task TrafficThatJustFellAway_CountsAsGone()
    {
        await SeedAsync(perMinute: 6_000, lastMinute: 10);

        (await new TrafficForecast(_store).WarnAsync(Window, Now, default)).ShouldNotBeNull();
    }
}
