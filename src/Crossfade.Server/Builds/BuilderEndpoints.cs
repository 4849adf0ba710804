using Crossfade.Contracts.V1;
using Crossfade.Core.Builds;
using Crossfade.Server.Api;
using Crossfade.Server.Audit;
using Crossfade.Server.Auth;
using Crossfade.Server.Releases;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Builds;

/// <summary>
/// The part of the agent API a host with the <c>builder</c> role calls: take a build (long poll), stream its
/// output, send the archive, report how it ended. A host reaches only the builds handed to it, and only while
/// the server still waits for them.
/// </summary>
public static class BuilderEndpoints
{
    private const int MaxLinesPerBatch = 2000;

    public static void MapBuilderApi(this IEndpointRouteBuilder routes)
    {
        // A build's output and archive are the build's own record (which is audited where it started).
        var group = routes.MapGroup("/api/agent/v1/builds").RequireRole(Roles.Agent).SkipAudit();
        group.MapPost("/take", TakeAsync);
        group.MapPost("/{id:long}/logs", AppendLogAsync);
        group.MapPut("/{id:long}/archive", ReceiveArchiveAsync);
        group.MapPost("/{id:long}/result", EndAsync);
    }

    private static async Task<IResult> TakeAsync(HttpContext context, IStore store, BuilderBoard board, ServerOptions options, TimeProvider time, CancellationToken ct)
    {
        var host = context.Caller().Name;
        var record = (await store.ListHostsAsync(ct)).FirstOrDefault(h => h.Name == host);
        if (record is null || !record.Roles.Contains(BuilderRunner.Role, StringComparer.Ordinal))
            return Results.Problem(title: "Forbidden", detail: $"host '{host}' does not have the role '{BuilderRunner.Role}': builds go only to builder hosts", statusCode: 403);
        var wait = TimeSpan.FromSeconds(Math.Clamp(int.TryParse(context.Request.Query["wait"], out var w) ? w : (int)options.PollWait.TotalSeconds, 0, 60));
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            if (board.Take(host) is { } work)
                return Results.Ok(work);
            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero || ct.IsCancellationRequested)
                return Results.NoContent();
            await board.WaitForOfferAsync(host, left, ct);
        }
    }

    private static async Task<IResult> AppendLogAsync(long id, HttpContext context, BuilderBoard board, TimeProvider time, CancellationToken ct)
    {
        if (Handed(id, context, board) is not { } handed)
            return NotHanded(id);
        var (batch, error) = await JsonBody.ReadAsync<BuildLogBatch>(context.Request, ct);
        if (batch is null)
            return error!;
        if (batch.Lines.Count > MaxLinesPerBatch)
            return Problems.BadRequest($"a batch holds at most {MaxLinesPerBatch} lines; this one has {batch.Lines.Count}");
        foreach (var line in batch.Lines)
            handed.Log.Write(line ?? "");
        handed.Heard(time.GetUtcNow());
        return Results.NoContent();
    }

    private static async Task<IResult> ReceiveArchiveAsync(long id, HttpContext context, BuilderBoard board, ReleaseUpload upload, ServerOptions options, TimeProvider time, CancellationToken ct)
    {
        if (Handed(id, context, board) is not { } handed)
            return NotHanded(id);
        if (handed.Archive is not null)
            return Problems.Conflict($"build #{id} has its archive already: a build sends one");
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxUploadBytes + 1;
        var outcome = await upload.ReceiveAsync(context.Request, ct);
        handed.Heard(time.GetUtcNow());
        if (outcome.Error is not null)
        {
            handed.Log.Write($"the server refused the release: {outcome.Error}");
            return Results.Problem(title: "Release refused", detail: outcome.Error, statusCode: outcome.Status);
        }
        handed.Archive = (outcome.Sha256!, outcome.Size);
        return Results.Ok(new { sha256 = outcome.Sha256, size = outcome.Size });
    }

    private static async Task<IResult> EndAsync(long id, HttpContext context, BuilderBoard board, TimeProvider time, CancellationToken ct)
    {
        if (Handed(id, context, board) is not { } handed)
            return NotHanded(id);
        var (result, error) = await JsonBody.ReadAsync<BuildResult>(context.Request, ct);
        if (result is null)
            return error!;
        if (result.Sha is not null && !GitRefs.IsSha(result.Sha))
            return Problems.BadRequest($"'sha' must be a commit id of 40 hex digits, not '{AuditText.Clean(result.Sha, 80)}'");
        // A push names its commit: the builder builds that one or says why not, never another.
        if (handed.Work.Sha is { } pushed && result.Sha is not null && result.Sha != pushed)
            return Problems.BadRequest($"build #{id} is of commit {pushed}, not {result.Sha}");
        if (result.Succeeded && (result.Sha is null || result.ArchiveSha256 is null))
            return Problems.BadRequest("a build that succeeded names its commit ('sha') and the archive it sent ('archiveSha256')");
        handed.Heard(time.GetUtcNow());
        handed.End(result with { Message = AuditText.Clean(result.Message, 500), Failure = result.Failure is null ? null : AuditText.Clean(result.Failure, 2000) });
        return Results.NoContent();
    }

    private static HandedBuild? Handed(long id, HttpContext context, BuilderBoard board) => board.Of(id, context.Caller().Name);

    private static IResult NotHanded(long id) =>
        Problems.NotFound($"build #{id} is not one this host is building now (it ended, timed out, or was handed to another host)");
}
