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

    /// <summary>A baseline of other hours (a bake window's) does not change while its window runs: read once a window.</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<JudgeWindow, ReleaseTraffic> _fixedBaselines = new();

    private async Task<ReleaseTraffic> FixedBaselineAsync(JudgeWindow w, int errorFrom, CancellationToken ct)
    {
        if (_fixedBaselines.TryGetValue(w, out var known))
            return known;
        var baseline = new ReleaseTraffic(w.Baseline);
        foreach (var r in await store.ListJudgedRequestsAsync(w.App, w.Environment, [w.Baseline], w.BaselineFrom!.Value, w.BaselineUntil ?? w.Start, ct))
            baseline.Add(r.Route, r.Status >= errorFrom, r.Ms);
        _fixedBaselines.AddOrUpdate(w, baseline);
        return baseline;
    }

    public async Task<JudgeEvidence> ReadAsync(JudgeWindow w, DateTimeOffset now, IReadOnlyList<InstanceProblem> problems, CancellationToken ct)
    {
        var candidate = new ReleaseTraffic(w.Candidate);
        var baseline = new ReleaseTraffic(w.Baseline);
        var errorFrom = w.Spec.Count4xx ? 400 : 500;
        var sameWindow = w.BaselineFrom is null;
        // Errors count from the window's start; durations from the end of the warm-up, on both sides alike
        // (a new instance is slower for its first seconds, not wronger).
        var rows = await store.ListJudgedRequestsAsync(w.App, w.Environment, sameWindow ? [w.Candidate, w.Baseline] : [w.Candidate], w.Start, now, ct);
        var timedFrom = w.CountFrom.ToUnixTimeMilliseconds();
        foreach (var r in rows)
            (r.Release == w.Candidate ? candidate : baseline).Add(r.Route, r.Status >= errorFrom, r.Ms, r.At >= timedFrom);
        if (!sameWindow)
            baseline = await FixedBaselineAsync(w, errorFrom, ct);
        return new JudgeEvidence(candidate, baseline, now - w.Start, await LoggedErrorsAsync(w, ct), problems);
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

    /// <summary>How far back the baseline's own errors are read.</summary>
    private static readonly TimeSpan BaselineLookback = TimeSpan.FromDays(1);
}
