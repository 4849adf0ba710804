using Crossfade.Contracts.V1;
using Crossfade.Server.Api;
using Crossfade.Server.Audit;
using Crossfade.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Binaries;

/// <summary>
/// The binaries hosts install: listed with their SHA-256 (admins, who add hosts), and downloaded by admins
/// and agents, with the hash in <c>X-Crossfade-Sha256</c> for the receiver to check what it got.
/// </summary>
public static class BinariesEndpoints
{
    public static void MapBinaries(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/binaries", (AgentBinaries binaries) =>
            Results.Ok(binaries.List().Select(b => new BinaryView(b.Rid, b.Version, b.Size, b.Sha256)))).RequireRole(Roles.Admin);
        routes.MapGet("/api/v1/binaries/{rid}", (string rid, HttpContext context, AgentBinaries binaries) => Download(rid, context, binaries)).RequireRole(Roles.Admin);
        routes.MapGet("/api/agent/v1/binaries/{rid}", (string rid, HttpContext context, AgentBinaries binaries) => Download(rid, context, binaries))
            .RequireRole(Roles.Agent).SkipAudit();
    }

    private static IResult Download(string rid, HttpContext context, AgentBinaries binaries)
    {
        if (!AgentBinaries.IsRid(rid))
            return Problems.BadRequest($"'{AuditText.Clean(rid, 40)}' is not a platform: linux-x64, linux-arm64, linux-musl-x64, …");
        if (binaries.Find(rid) is not { } binary)
            return Problems.NotFound($"no crossfade binary for {rid} here: run ./build.sh {rid} and copy artifacts/dist/{rid} into the server's binaries folder");
        context.Response.Headers["X-Crossfade-Sha256"] = binary.Sha256;
        return Results.File(binary.Path, "application/octet-stream", AgentBinaries.FileName);
    }
}
