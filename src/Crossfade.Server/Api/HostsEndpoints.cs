using Crossfade.Contracts.V1;
using Crossfade.Server.Audit;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Api;

/// <summary>Enrolled hosts: listed, and removed with their tokens.</summary>
public static class HostsEndpoints
{
    public static void MapHosts(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/hosts", async (IStore store, TimeProvider time, ServerOptions options, CancellationToken ct) =>
            Results.Ok((await store.ListHostsAsync(ct)).Select(h =>
                new HostStatusView(h.Name, h.Roles, h.LastSeen is { } s && time.GetUtcNow() - s <= options.OfflineAfter, h.LastSeen, null,
                    h.AgentVersion, Core.Versioning.ProductVersion.Current.IsNewerThan(h.AgentVersion), h.BinarySha256, h.UpgradeWanted))))
            .WithTags("Hosts").RequireRole(Roles.Viewer);
        routes.MapDelete("/api/v1/hosts/{name}", RemoveAsync).WithTags("Hosts").RequireRole(Roles.Admin);
    }

    /// <summary>
    /// Takes a host off the server and revokes its tokens: its agent is refused from its next request on.
    /// Refused while an unfinished deploy has steps on it (its next phase would queue more there): let it
    /// finish or cancel it first. A host
    /// removed already answers 200 with nothing revoked, so a removal run again changes nothing.
    /// </summary>
    private static async Task<IResult> RemoveAsync(string name, IStore store, HttpContext context, CancellationToken ct)
    {
        context.Audit().Add("host", name);
        if (!Core.Naming.FolderNames.IsName(name))
            return Problems.BadRequest($"'{name}' is not a host name: host names are {Core.Naming.FolderNames.NameRule}");
        var (existed, revoked, busy) = await store.RemoveHostAsync(name, ct);
        if (busy.Count > 0)
            return Problems.Conflict($"deploy #{string.Join(", #", busy)} has not finished and works on '{name}': let it finish or cancel it, then remove the host");
        context.Audit().Add("tokens_revoked", revoked.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Results.Ok(new HostRemovedView(name, existed, revoked));
    }
}
