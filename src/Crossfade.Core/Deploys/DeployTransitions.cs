using Crossfade.Contracts.V1;

namespace Crossfade.Core.Deploys;

/// <summary>The one place that decides which deploy transitions are legal.</summary>
public static class DeployTransitions
{
    private static readonly Dictionary<DeployState, DeployState[]> Allowed = new()
    {
        [DeployState.Queued] = [DeployState.Converging, DeployState.Preparing, DeployState.Aborted],
        // A converge outside a deploy ends after this phase: Succeeded, or Failed when a resource failed.
        [DeployState.Converging] = [DeployState.Preparing, DeployState.Aborted, DeployState.Succeeded, DeployState.Failed],
        [DeployState.Preparing] = [DeployState.Migrating, DeployState.Judging, DeployState.CuttingOver, DeployState.Aborted],
        [DeployState.Migrating] = [DeployState.Judging, DeployState.CuttingOver, DeployState.Aborted],
        // A judged split that fails (or is rolled back) sends every host's clients back to the live instances.
        [DeployState.Judging] = [DeployState.CuttingOver, DeployState.RollingBack, DeployState.Aborted],
        [DeployState.CuttingOver] = [DeployState.Canary, DeployState.Verifying, DeployState.Succeeded, DeployState.RollingBack],
        [DeployState.Canary] = [DeployState.Promoting, DeployState.RollingBack],
        [DeployState.Promoting] = [DeployState.Verifying, DeployState.Succeeded, DeployState.RollingBack],
        [DeployState.Verifying] = [DeployState.Succeeded, DeployState.RollingBack],
        [DeployState.RollingBack] = [DeployState.RolledBack, DeployState.Mixed],
        [DeployState.Succeeded] = [],
        [DeployState.Aborted] = [],
        [DeployState.RolledBack] = [],
        [DeployState.Mixed] = [],
        [DeployState.Failed] = [],
    };

    public static bool IsLegal(DeployState from, DeployState to) => Allowed[from].Contains(to);

    public static bool IsTerminal(DeployState state) => Allowed[state].Length == 0;

    /// <summary>Throws when a caller tries an illegal transition: that is a bug, not an expected failure.</summary>
    public static void Ensure(DeployState from, DeployState to)
    {
        if (!IsLegal(from, to))
            throw new InvalidOperationException($"illegal deploy transition {from} -> {to}");
    }
}
