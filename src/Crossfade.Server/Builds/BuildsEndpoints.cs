using Crossfade.Contracts.V1;
using Crossfade.Server.Api;
using Crossfade.Server.Audit;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Builds;

/// <summary>Builds: started by hand, listed, read with their output.</summary>
public static class BuildsEndpoints
{
    public static void MapBuilds(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1").WithTags("Builds");
        group.MapPost("/apps/{app}/builds", StartAsync).RequireRole(Roles.Deployer);
        group.MapGet("/apps/{app}/builds", async (string app, int? limit, IStore store, CancellationToken ct) =>
            Results.Ok((await store.ListBuildsAsync(app, limit ?? 20, ct)).Select(View))).RequireRole(Roles.Viewer);
        group.MapGet("/builds/{id:long}", async (long id, IStore store, CancellationToken ct) =>
            await store.GetBuildAsync(id, ct) is { } b ? Results.Ok(View(b)) : Problems.NotFound($"no build #{id}")).RequireRole(Roles.Viewer);
        group.MapGet("/builds/{id:long}/logs", async (long id, long? after, IStore store, CancellationToken ct) =>
            await store.GetBuildAsync(id, ct) is null
                ? Problems.NotFound($"no build #{id}")
                : Results.Ok((await store.ReadBuildLogAsync(id, after ?? 0, ct)).Select(l => new BuildLogLine(l.Seq, l.At, l.Line))))
            .RequireRole(Roles.Viewer);
    }

    private static async Task<IResult> StartAsync(string app, HttpContext context, IStore store, Telemetry.AppSpecs specs, BuildService builds, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<StartBuildRequest>(context.Request, ct);
        if (body is null)
            return error!;
        var notes = context.Audit().Add("ref", body.Ref);
        notes.Environment = body.Environment;
        if (await store.GetAppAsync(app, ct) is not { } record || specs.Of(record) is not { } spec)
            return Problems.NotFound($"no app named '{app}'");
        if (spec.Build is null)
            return Problems.Unprocessable($"'{app}' has no 'build' section in its spec: say where its source is and how it is built");
        if (body.Environment is { } env && !spec.Environments.ContainsKey(env))
            return Problems.NotFound($"'{app}' has no environment '{env}'");
        var (build, problem) = await builds.QueueAsync(app, body.Ref ?? "", null, body.Environment, context.Caller().Name, "build", ct);
        if (build is null)
            return Problems.BadRequest(problem!);
        notes.Add("build", build.Id);
        return Results.Accepted($"/api/v1/builds/{build.Id}", View(build));
    }

    public static BuildView View(BuildRecord b) =>
        new(b.Id, b.App, b.Ref, b.Sha, b.Environment, b.State, b.Version, b.Message, b.RequestedBy, b.Trigger, b.CreatedAt, b.StartedAt, b.FinishedAt, b.DeployId, b.Reason, b.Host);
}
