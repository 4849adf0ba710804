namespace Crossfade.Server.Deploys;

/// <summary>The kinds of request a running deploy takes while it holds (canary, bake window), as stored.</summary>
public static class DeployRequests
{
    public const string Promote = "promote";
    public const string Rollback = "rollback";
}
