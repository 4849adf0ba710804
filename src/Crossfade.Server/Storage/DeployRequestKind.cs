namespace Crossfade.Server.Storage;

/// <summary>The requests a running deploy takes while it holds (a canary, a bake window); stored in lower case.</summary>
public enum DeployRequestKind
{
    /// <summary>The canary switches the other hosts now.</summary>
    Promote,

    /// <summary>Every switched host goes back to the release before.</summary>
    Rollback,
}
