using Crossfade.Contracts.V1;

namespace Crossfade.Core.Deploys;

/// <summary>
/// The order of a deploy's phases on its way forward, declared here rather than read from the enum's
/// declaration order: a deploy resumed after a restart replays its plan and enters only the phases
/// after the one it was in. A phase added to a deploy gets its place in this list.
/// </summary>
public static class DeployResumeOrder
{
    private static readonly DeployState[] Forward =
    [
        DeployState.Queued,
        DeployState.Converging,
        DeployState.Preparing,
        DeployState.Migrating,
        DeployState.Judging,
        DeployState.CuttingOver,
        DeployState.Canary,
        DeployState.Promoting,
        DeployState.Verifying,
    ];

    /// <summary>Whether a deploy that stands in <paramref name="current"/> has already entered <paramref name="phase"/> (or passed it).</summary>
    public static bool HasEntered(DeployState current, DeployState phase)
    {
        var at = Array.IndexOf(Forward, current);
        var target = Array.IndexOf(Forward, phase);
        if (target < 0)
            throw new ArgumentException($"{phase} is not a phase on the way forward", nameof(phase));
        // A deploy past the forward phases (rolling back, or ended) has left every one of them behind.
        return at < 0 || at >= target;
    }
}
