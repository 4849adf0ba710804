using Crossfade.Core.Specs;

namespace Crossfade.Server.Judging;

/// <summary>
/// What a judged window compares: an environment's candidate release against its baseline, from the
/// window's start (the warm-up is left out of the requests) up to now.
/// </summary>
/// <param name="App">The app deployed.</param>
/// <param name="Environment">The environment it goes to.</param>
/// <param name="Candidate">The new release.</param>
/// <param name="Baseline">The release it replaces.</param>
/// <param name="Start">When the window opened (the split, or the cutover for a bake window).</param>
/// <param name="Spec">The spec's thresholds and window.</param>
/// <param name="BaselineFrom">
/// Where the baseline's requests start, when they are not the window's own (the bake window compares
/// with the old release's traffic before the deploy); null to take the window's.
/// </param>
/// <param name="BaselineUntil">Where the baseline's requests end, when they are not the window's own.</param>
public sealed record JudgeWindow(
    string App, string Environment, string Candidate, string Baseline, DateTimeOffset Start, JudgeSpec Spec,
    DateTimeOffset? BaselineFrom = null, DateTimeOffset? BaselineUntil = null)
{
    /// <summary>The first request whose duration the comparison counts: the window's start after the warm-up.</summary>
    public DateTimeOffset CountFrom => Start + TimeSpan.FromSeconds(Spec.WarmupSeconds);
}
