namespace Crossfade.Core.Judging;

/// <summary>
/// What the judge calls a regression, with defaults that suit a typical web app. A check fails when
/// its test is significant at <see cref="Alpha"/> and the effect seen is at least half the size the
/// team wants caught, so a regression of the configured size is caught once there are enough requests
/// to see it (see the README), and noise or a change under
/// half of it never fails a release.
/// </summary>
/// <param name="Alpha">The significance a failing check needs. Small, because the judge looks again every few seconds.</param>
/// <param name="ErrorIncrease">The rise of a route group's 5xx share to catch, in absolute terms (0.01 = one percentage point).</param>
/// <param name="LatencyShift">The relative slow-down of a route group's median or p95 to catch (0.2 = 20% slower).</param>
/// <param name="LatencyShiftMs">The absolute slow-down to catch, in milliseconds; both this and the relative one must be met.</param>
/// <param name="MinRequests">The candidate requests a check needs before it may pass.</param>
public sealed record JudgeThresholds(
    double Alpha = 0.001,
    double ErrorIncrease = 0.01,
    double LatencyShift = 0.2,
    double LatencyShiftMs = 20,
    int MinRequests = 200)
{
    public static readonly JudgeThresholds Default = new();
}
