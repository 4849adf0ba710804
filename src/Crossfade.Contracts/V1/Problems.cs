namespace Crossfade.Contracts.V1;

/// <summary>The roles a token can have on the REST API, in increasing power.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Deployer = "deployer";
    public const string Admin = "admin";
    public const string Agent = "agent";
}
