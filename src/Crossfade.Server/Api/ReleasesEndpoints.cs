using Crossfade.Server.Audit;
using Crossfade.Core.Naming;
using Crossfade.Contracts.V1;
using Crossfade.Server.Auth;
using Crossfade.Server.Releases;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Api;

/// <summary>Releases: an archive uploaded under a version, stored by its SHA-256.</summary>
public static class ReleasesEndpoints
{
    public static void MapReleases(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/apps/{app}/releases").WithTags("Releases");
        group.MapPost("", PushAsync).RequireRole(Roles.Deployer);
        group.MapGet("", async (string app, IStore store, CancellationToken ct) =>
            await store.GetAppAsync(app, ct) is null
                ? Problems.NotFound($"no app named '{app}'")
                : Results.Ok((await store.ListReleasesAsync(app, ct)).Select(ToView))).RequireRole(Roles.Viewer);
    }

    private static async Task<IResult> PushAsync(
        string app, string? version, string? commit, string? message, HttpContext context,
        IStore store, ReleaseUpload upload, ServerOptions options, TimeProvider time, CancellationToken ct)
    {
        if (await store.GetAppAsync(app, ct) is null)
            return Problems.NotFound($"no app named '{app}'; register it with 'crossfade apply' first");
        if (string.IsNullOrEmpty(version))
            return Problems.BadRequest("query parameter 'version' is required");
        if (!FolderNames.IsVersion(version))
            return Problems.BadRequest($"query parameter 'version' ('{version}') is refused: {FolderNames.VersionRule}");
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxUploadBytes + 1;
        var outcome = await upload.ReceiveAsync(context.Request, ct);
        if (outcome.Error is not null)
            return Results.Problem(title: "Release refused", detail: outcome.Error, statusCode: outcome.Status);
        var record = new ReleaseRecord(app, version, outcome.Sha256!, outcome.Size, commit, message, context.Caller().Name, time.GetUtcNow());
        context.Audit().Add("sha256", record.Sha256);
        if (await store.AddReleaseAsync(record, ct))
            return Results.Created($"/api/v1/apps/{app}/releases/{version}", ToView(record));
        var existing = (await store.GetReleaseAsync(app, version, ct))!;
        return existing.Sha256 == record.Sha256
            ? Results.Ok(ToView(existing))
            : Problems.Conflict($"'{app}' has a release '{version}' already, with other content (sha256 {existing.Sha256[..12]}…); releases never change: pick a new version");
    }

    private static ReleaseView ToView(ReleaseRecord r) =>
        new(r.App, r.Version, r.Sha256, r.SizeBytes, r.Commit, r.Message, r.CreatedBy, r.CreatedAt);
}
