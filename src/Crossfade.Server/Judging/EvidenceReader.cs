using Crossfade.Core.Judging;
using Crossfade.Core.Telemetry;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Judging;

/// <summary>
/// Reads what the judge compares from what the agents shipped: both releases' requests by route group
/// (their durations from the end of the warm-up) and the errors the candidate's instances logged.
/// </summary>
public sealed class EvidenceReader(IStore store)
{
    /// <summary>The most error entries of a release read in one look: enough to count any error that matters.</summary>
    private const int MaxErrorLines = 5_000;

    /// <summary>How far back the baseline's own errors are read.</summary>
    private static readonly TimeSpan BaselineLookback = TimeSpan.FromDays(1);

    /// <summary>
    /// What one window's looks have read so far: the candidate's requests, the baseline's (on the same
    /// traffic, or a bake window's of other hours, read once: it does not change while the window runs),
    /// and the id of the last row read.
    /// </summary>
    private sealed class Reading(JudgeWindow w)
    {
        public ReleaseTraffic Candidate { get; } = new(w.Candidate);
        public ReleaseTraffic Baseline { get; } = new(w.Baseline);
        public bool BaselineRead { get; set; }
        public long LastId { get; set; }
    }

    /// <summary>Each window's reading, kept while the window is: a look adds what arrived since the last one.</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<JudgeWindow, Reading> _readings = new();

    public async Task<JudgeEvidence> ReadAsync(JudgeWindow w, DateTimeOffset now, IReadOnlyList<InstanceProblem> problems, CancellationToken ct)
    {
        var errorFrom = w.Spec.Count4xx ? 400 : 500;
        var sameWindow = w.BaselineFrom is null;
        var reading = _readings.GetValue(w, key => new Reading(key));
        if (!sameWindow && !reading.BaselineRead)
        {
            foreach (var r in await store.ListJudgedRequestsAsync(w.App, w.Environment, [w.Baseline], w.BaselineFrom!.Value, w.BaselineUntil ?? w.Start, 0, ct))
                reading.Baseline.Add(r.Route, r.Status >= errorFrom, r.Ms);
            reading.BaselineRead = true;
        }
        // Errors count from the window's start; durations from the end of the warm-up, on both sides alike
        // (a new instance is slower for its first seconds, not wronger). A record is counted whenever it
        // arrives, late ones included; none is counted twice.
        var rows = await store.ListJudgedRequestsAsync(w.App, w.Environment, sameWindow ? [w.Candidate, w.Baseline] : [w.Candidate], w.Start, DateTimeOffset.MaxValue,
            reading.LastId, ct);
        var timedFrom = w.CountFrom.ToUnixTimeMilliseconds();
        foreach (var r in rows)
        {
            (r.Release == w.Candidate ? reading.Candidate : reading.Baseline).Add(r.Route, r.Status >= errorFrom, r.Ms, r.At >= timedFrom);
            reading.LastId = Math.Max(reading.LastId, r.Id);
        }
        return new JudgeEvidence(reading.Candidate, reading.Baseline, now - w.Start, await LoggedErrorsAsync(w, ct), problems);
    }

    /// <summary>
    /// The errors the candidate's web instances logged since the window started, by fingerprint. One is
    /// known from the baseline when the baseline's instances logged it too in the last day — not when
    /// some other release did (a bad release rolled back earlier logged it first, and the baseline never).
    /// </summary>
    private async Task<IReadOnlyList<LoggedError>> LoggedErrorsAsync(JudgeWindow w, CancellationToken ct)
    {
        var lines = await store.ListErrorLinesAsync(w.App, w.Environment, $"web-{w.Candidate}.log", w.Start, MaxErrorLines, ct);
        var prints = lines.Select(ErrorFingerprint.Of).GroupBy(p => p.Fingerprint).ToList();
        // Only an error seen often enough to fail the release is looked for on the baseline's side.
        if (!prints.Any(g => g.Count() >= w.Spec.NewErrorMin))
            return prints.Select(g => new LoggedError(g.Key, g.First().Message, g.LongCount(), KnownFromBaseline: false)).ToList();
        var baselineLines = await store.ListErrorLinesAsync(w.App, w.Environment, $"web-{w.Baseline}.log", w.Start - BaselineLookback, MaxErrorLines, ct, newestFirst: true);
        var fromBaseline = baselineLines.Select(l => ErrorFingerprint.Of(l).Fingerprint).ToHashSet(StringComparer.Ordinal);
        return prints.Select(g => new LoggedError(g.Key, g.First().Message, g.LongCount(), fromBaseline.Contains(g.Key))).ToList();
    }
}
