using Crossfade.Core.Specs;
using Crossfade.Server.Judging;
using Crossfade.Server.Storage;

namespace Crossfade.Tests.Server.Judging;

/// <summary>The judge's reading of a window, look after look, against what one reading of everything gives.</summary>
public sealed class EvidenceReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-evidence-").FullName;
    private readonly SqliteStore _store;
    private readonly DateTimeOffset _t0 = new(2026, 12, 3, 4, 0, 0, TimeSpan.Zero);
    private long _seq;

    public EvidenceReaderTests() => _store = new SqliteStore(Path.Combine(_dir, "crossfade.db"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private JudgeWindow Window() => new("shop", "prod", "2.0.0", "1.0.0", _t0, JudgeSpec.Default with { WarmupSeconds = 10 });

    private Task StoreAsync(params (int Second, string Release, int Status, bool Bot)[] requests) =>
        _store.IngestAsync(new IngestWrite("web-1", ++_seq, requests.Length,
            requests.Select(r => new StoredAccess(_t0.AddSeconds(r.Second), "web-1", "shop", "prod", r.Release, "GET", "/listings/1", "/listings/{id}", r.Status, r.Second, 10, r.Bot)).ToList(),
            [], [], new Dictionary<string, long>(), _t0), default);

    [Fact]
    public async Task LookAfterLook_CountsEveryRecordOnce_LateOnesIncluded_RobotsAndOtherReleasesNever()
    {
        var reader = new EvidenceReader(_store);
        var window = Window();
        await StoreAsync((1, "2.0.0", 500, false), (2, "1.0.0", 200, false), (12, "2.0.0", 200, false), (13, "0.9.0", 500, false));
        var first = await reader.ReadAsync(window, _t0.AddSeconds(15), [], default);
        var candidateAfterFirst = (first.Candidate.Total, first.Candidate.All.Errors);
        // Then a record of second 3 arrives late, a robot's request, and one more of each release.
        await StoreAsync((3, "2.0.0", 503, false), (14, "2.0.0", 500, true), (20, "1.0.0", 200, false), (21, "2.0.0", 200, false));
        var second = await reader.ReadAsync(window, _t0.AddSeconds(25), [], default);
        var once = await new EvidenceReader(_store).ReadAsync(Window(), _t0.AddSeconds(25), [], default);

        candidateAfterFirst.ShouldBe((2L, 1L));
        (second.Candidate.Total, second.Candidate.All.Errors, second.Baseline.Total).ShouldBe((4L, 2L, 2L));
        (once.Candidate.Total, once.Candidate.All.Errors, once.Baseline.Total).ShouldBe((second.Candidate.Total, second.Candidate.All.Errors, second.Baseline.Total));
        second.Candidate.All.Ms.Order().ToList().ShouldBe(new List<double> { 12.0, 21.0 }, "durations count from the end of the warm-up (10 s), the late one of second 3 among the errors only");
    }
}
