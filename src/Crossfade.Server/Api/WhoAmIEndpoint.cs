using Crossfade.Contracts.V1;
using Crossfade.Core.Versioning;
using Crossfade.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Api;

/// <summary><c>GET /api/v1/whoami</c>: the caller as its token makes it, and the server's version (for <c>crossfade login</c> and <c>crossfade version</c>).</summary>
public static class WhoAmIEndpoint
{
    public static void MapWhoAmI(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/v1/whoami", (HttpContext context) =>
        {
            var caller = context.Caller();
            return Results.Ok(new WhoAmIView(caller.Name, caller.Role, caller.TokenId.Length == 0 ? null : caller.TokenId, ProductVersion.Current.Full));
        }).RequireRole(Roles.Viewer);
}
