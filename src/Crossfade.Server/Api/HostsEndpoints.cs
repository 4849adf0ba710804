using Crossfade.Contracts.V1;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Api;

/// <summary>Enrolled hosts.</summary>
public static class HostsEndpoints
{
    public static void MapHosts(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/hosts", async (IStore store, TimeProvider time, ServerOptions options, CancellationToken ct) =>
            Results.Ok((await store.ListHostsAsync(ct)).Select(h =>
                new HostStatusView(h.Name, h.Roles, h.LastSeen is { } s && time.GetUtcNow() - s <= options.OfflineAfter, h.LastSeen, null,
                    h.AgentVersion, Core.Versioning.ProductVersion.Current.IsNewerThan(h.AgentVersion), h.BinarySha256, h.UpgradeWanted))))
            .WithTags("Hosts").RequireRole(Roles.Viewer);
    }
}
