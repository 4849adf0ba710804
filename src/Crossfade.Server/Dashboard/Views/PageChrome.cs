using Crossfade.Contracts.V1;
using Crossfade.Server.Auth;

namespace Crossfade.Server.Dashboard.Views;

/// <summary>What every page's frame needs: who is signed in, the form token, where the page is.</summary>
public sealed record PageChrome(Caller Caller, string Csrf, string Path)
{
    /// <summary>Whether the buttons that change something are shown: the API's own rule for the role.</summary>
    public bool CanDeploy => Caller.AtLeast(Roles.Deployer);

    public bool IsAdmin => Caller.AtLeast(Roles.Admin);
}
