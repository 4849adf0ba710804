namespace Crossfade.Server.Auth;

/// <summary>Who made a request, as their bearer token says; <paramref name="TokenId"/> is the token's listed id.</summary>
public sealed record Caller(string Name, string Role, string TokenId = "")
{
    private static readonly string[] Ranks = ["viewer", "deployer", "admin"];

    /// <summary>Whether this caller's role is at least <paramref name="role"/> on the REST API.</summary>
    public bool AtLeast(string role) =>
        Array.IndexOf(Ranks, Role) >= 0 && Array.IndexOf(Ranks, Role) >= Array.IndexOf(Ranks, role);
}
