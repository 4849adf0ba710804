namespace Crossfade.Core.Deploys;

/// <summary>What a deploy does: ship a new release, or go back to the one before.</summary>
public enum DeployKind
{
    Deploy,
    Rollback,
}
