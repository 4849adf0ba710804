using Crossfade.Core.Judging;

namespace Crossfade.Core.Specs;

/// <summary>
/// How the judge compares a deploy's new release with the old one (the spec's <c>judge:</c>). Without
/// one, every deploy is judged in observe mode with the defaults: verdicts are recorded, never acted on.
/// </summary>
/// <param name="Mode">Observe records what the judge would have done; enforce does it.</param>
/// <param name="WeightPercent">The share of each web host's traffic its candidate takes while judged.</param>
/// <param name="MinSeconds">The shortest window a pass needs.</param>
/// <param name="MaxSeconds">The longest window; then <paramref name="OnInsufficient"/> decides.</param>
/// <param name="OnInsufficient">What too little traffic to tell leads to once the window has run out.</param>
/// <param name="WarmupSeconds">The first seconds of the window, whose durations are left out of the latency comparison (JIT, cold caches); their errors count.</param>
/// <param name="NewErrorMin">How often an error never seen from the baseline must be seen from the candidate to fail it.</param>
/// <param name="Count4xx">Whether 4xx answers count as errors too.</param>
/// <param name="Thresholds">What a regression is (see <see cref="JudgeThresholds"/>).</param>
/// <param name="MaxErrorRate">An absolute 5xx share no release may exceed, if set.</param>
/// <param name="MaxP95Ms">An absolute p95 no release may exceed, if set.</param>
public sealed record JudgeSpec(
    JudgeMode Mode,
    int WeightPercent,
    int MinSeconds,
    int MaxSeconds,
    InsufficientAction OnInsufficient,
    int WarmupSeconds,
    int NewErrorMin,
    bool Count4xx,
    JudgeThresholds Thresholds,
    double? MaxErrorRate = null,
    int? MaxP95Ms = null)
{
    public static readonly JudgeSpec Default = new(JudgeMode.Observe, 10, 30, 300, InsufficientAction.Hold, 10, 3, false, JudgeThresholds.Default);
}
