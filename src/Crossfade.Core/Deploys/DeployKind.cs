namespace Crossfade.Core.Deploys;

/// <summary>What a deploy does: ship a new release, go back to the one before, or converge configuration only.</summary>
public enum DeployKind
{
    Deploy,
    Rollback,

    /// <summary>Converge the live release's configuration, outside a deploy.</summary>
    Converge,

    /// <summary>Predict what a converge would change, changing nothing.</summary>
    WhyRun,
}
