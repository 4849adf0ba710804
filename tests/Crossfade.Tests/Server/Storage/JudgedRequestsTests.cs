using Crossfade.Server.Storage;

namespace Crossfade.Tests.Server.Storage;

/// <summary>What the judge reads of the stored requests: the releases and time asked for, without robots.</summary>
public sealed class JudgedRequestsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-store-").FullName;
    private readonly SqliteStore _store;
    private readonly DateTimeOffset _t0 = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);

    public JudgedRequestsTests() => _store = new SqliteStore(Path.Combine(_dir, "crossfade.db"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private StoredAccess Request(int second, string release, int status, bool bot = false) =>
        new(_t0.AddSeconds(second), "web-1", "shop", "prod", release, "GET", "/listings/1", "/listings/{id}", status, 5, 100, bot);

    [Fact]
    public async Task RobotsRequests_AreLeftOut_AsAreOtherReleasesAndTimes()
    {
        var access = new[]
        {
            Request(1, "2.0.0", 200), Request(2, "2.0.0", 500, bot: true), Request(3, "2.0.0", 500, bot: true),
            Request(4, "1.0.0", 200), Request(5, "1.0.0", 200, bot: true), Request(6, "0.9.0", 500), Request(70, "2.0.0", 500),
        };
        (await _store.IngestAsync(new IngestWrite("web-1", 1, access.Length, access, [], [], new Dictionary<string, long>(), _t0), default)).ShouldBeTrue();

        var judged = await _store.ListJudgedRequestsAsync("shop", "prod", ["2.0.0", "1.0.0"], _t0, _t0.AddSeconds(60), 0, default);

        judged.Select(r => (r.Release, r.Status)).OrderBy(r => r.Release).ShouldBe([("1.0.0", 200L), ("2.0.0", 200L)]);
    }

    [Fact]
    public async Task ALaterLook_ReadsOnlyWhatWasStoredSinceTheLastRowItRead_LateRecordsIncluded()
    {
        (await _store.IngestAsync(new IngestWrite("web-1", 1, 2, [Request(10, "2.0.0", 200), Request(20, "2.0.0", 200)], [], [], new Dictionary<string, long>(), _t0), default)).ShouldBeTrue();
        var first = await _store.ListJudgedRequestsAsync("shop", "prod", ["2.0.0"], _t0, DateTimeOffset.MaxValue, 0, default);
        // A record of second 5 arrives late (its host was cut off), after one of second 30.
        (await _store.IngestAsync(new IngestWrite("web-1", 2, 1, [Request(30, "2.0.0", 500)], [], [], new Dictionary<string, long>(), _t0), default)).ShouldBeTrue();
        (await _store.IngestAsync(new IngestWrite("web-2", 1, 1, [Request(5, "2.0.0", 503)], [], [], new Dictionary<string, long>(), _t0), default)).ShouldBeTrue();

        var next = await _store.ListJudgedRequestsAsync("shop", "prod", ["2.0.0"], _t0, DateTimeOffset.MaxValue, first.Max(r => r.Id), default);

        first.Count.ShouldBe(2);
        next.Select(r => r.Status).Order().ShouldBe([500L, 503L]);
    }
}
