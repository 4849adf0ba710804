using Crossfade.Server.Storage;
using Crossfade.Server.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crossfade.Tests.Server.Telemetry;

public sealed class RetentionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-retention-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static StoredAccess Access(DateTimeOffset at) => new(at, "web-1", "shop", "prod", "1.0.0", "GET", "/", "/", 200, 2, 10);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task Prune_DropsRawRowsAfterAWeekAndRollupsAfter400Days_KeepsTheRest()
    {
        var store = new SqliteStore(Path.Combine(_dir, "t.db"));
        var now = DateTimeOffset.Parse("2026-11-22T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var ages = new[] { TimeSpan.FromDays(500), TimeSpan.FromDays(30), TimeSpan.FromDays(6), TimeSpan.FromMinutes(5) };
        var seq = 0;
        foreach (var age in ages)
            await store.IngestAsync(new IngestWrite("web-1", ++seq, 1, [Access(now - age)], [new StoredLogLine(now - age, "web-1", "shop", "prod", "web.log", null, "x")],
                [new MinuteRollup((now - age).ToUnixTimeSeconds() / 60, "shop", "prod", "web-1", "1.0.0", "/", "GET", 1, 0, 2, "")], new Dictionary<string, long>(), now - age), default);
        var retention = new TelemetryRetention(store, new TelemetryOptions(), new FixedTime(now), NullLogger<TelemetryRetention>.Instance);

        await retention.PruneAsync(default);

        (await store.CountAccessRecordsAsync("shop", "prod", null, null, default)).ShouldBe(2);
        (await store.SearchLogsAsync(new LogQuery("shop", "prod"), default)).Count.ShouldBe(2);
        (await store.ListMinutesAsync("shop", "prod", now.AddDays(-600), now, default)).Count.ShouldBe(3);
    }

    [Fact]
    public async Task Prune_OverTheByteBound_KeepsRawRowsForLessTime()
    {
        var store = new SqliteStore(Path.Combine(_dir, "b.db"));
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 20; i++)
            await store.IngestAsync(new IngestWrite("web-1", i + 1, 500, Enumerable.Range(0, 500).Select(_ => Access(now - TimeSpan.FromHours(40 - i))).ToList(), [], [],
                new Dictionary<string, long>(), now - TimeSpan.FromHours(40 - i)), default);
        var before = await store.CountAccessRecordsAsync("shop", "prod", null, null, default);
        var retention = new TelemetryRetention(store, new TelemetryOptions { MaxStoreBytes = 400_000 }, new FixedTime(now), NullLogger<TelemetryRetention>.Instance);

        await retention.PruneAsync(default);

        var after = await store.CountAccessRecordsAsync("shop", "prod", null, null, default);
        after.ShouldBeLessThan(before);
        after.ShouldBeGreaterThan(0, "the newest hour is always kept");
        (await store.UsedBytesAsync(default)).ShouldBeLessThanOrEqualTo(400_000);
    }
}
