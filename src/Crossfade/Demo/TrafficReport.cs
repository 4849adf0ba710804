using System.Diagnostics;
using Crossfade.Contracts.V1;
using Crossfade.Load;

namespace Crossfade.Demo;

/// <summary>
/// Splits the load generator's samples into cutover windows (a deploy's CuttingOver phase, plus a second
/// after it) and steady time (outside any deploy), and reports on each.
/// </summary>
public sealed class TrafficReport
{
    private readonly long _baseTicks;
    private readonly DateTimeOffset _baseTime;

    public TrafficReport()
    {
        _baseTicks = Stopwatch.GetTimestamp();
        _baseTime = DateTimeOffset.UtcNow;
    }

    public IReadOnlyList<Sample> All { get; private set; } = [];
    public IReadOnlyList<Sample> Steady { get; private set; } = [];
    public IReadOnlyList<Sample> Cutover { get; private set; } = [];

    /// <summary>The requests the deploys broke: a bad release's own 5xx answers are not among them.</summary>
    public int Failed => All.Count(s => s.Failed && !IsBadReleaseError(s));

    /// <summary>The 5xx answers the bad release gave itself (the judge's evidence, not a deploy's fault).</summary>
    public int BadReleaseErrors => All.Count(IsBadReleaseError);

    private string? _badRelease;

    private bool IsBadReleaseError(Sample s) => _badRelease is not null && s.Release == _badRelease && s.Status >= 500;
    public double SteadyP99 => Percentiles.Of(Steady, 99);
    public double CutoverP99 => Percentiles.Of(Cutover, 99);

    public void Classify(IReadOnlyList<Sample> samples, IEnumerable<DeployView> deploys, string? badRelease = null)
    {
        _badRelease = badRelease;
        var windows = deploys.Select(d => (
            Deploy: (d.CreatedAt, d.FinishedAt ?? DateTimeOffset.MaxValue),
            Cut: d.Phases.FirstOrDefault(p => p.Name == DeployState.CuttingOver) is { } p ? (p.StartedAt, (p.EndedAt ?? d.FinishedAt ?? DateTimeOffset.MaxValue).AddSeconds(1)) : (DateTimeOffset.MaxValue, DateTimeOffset.MaxValue)))
            .ToList();
        All = samples;
        Steady = samples.Where(s => !windows.Any(w => Within(At(s), w.Deploy.CreatedAt, w.Deploy.Item2.AddSeconds(1)))).ToList();
        Cutover = samples.Where(s => windows.Any(w => Within(At(s), w.Cut.Item1, w.Cut.Item2))).ToList();
    }

    private DateTimeOffset At(Sample s) => _baseTime + Stopwatch.GetElapsedTime(_baseTicks, s.StartTicks);

    private static bool Within(DateTimeOffset t, DateTimeOffset from, DateTimeOffset to) => t >= from && t <= to;
}
