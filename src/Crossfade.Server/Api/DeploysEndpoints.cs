using Crossfade.Server.Audit;
using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Server.Auth;
using Crossfade.Server.Deploys;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Api;

/// <summary>Deploys and rollbacks: started, listed, read, with their step output.</summary>
public static class DeploysEndpoints
{
    public static void MapDeploys(this IEndpointRouteBuilder routes)
    {
        var apps = routes.MapGroup("/api/v1/apps/{app}").WithTags("Deploys");
        apps.MapPost("/deploys", StartDeployAsync).RequireRole(Roles.Deployer);
        apps.MapPost("/rollbacks", StartRollbackAsync).RequireRole(Roles.Deployer);
        apps.MapPost("/promotions", PromoteReleaseAsync).RequireRole(Roles.Deployer);
        apps.MapGet("/deploys", ListAsync).RequireRole(Roles.Viewer);
        apps.MapPost("/converges", StartConvergeAsync).RequireRole(Roles.Deployer);
        apps.MapGet("/environments/{environment}/status", StatusEndpoint.GetAsync).RequireRole(Roles.Viewer);
        apps.MapPost("/environments/{environment}/promote", async (string app, string environment, HttpContext context, DeployService deploys, IStore store, CancellationToken ct) =>
            await AnswerAsync(await deploys.PromoteAsync(app, environment, context.Caller().Name, ct), store, ct)).RequireRole(Roles.Deployer);
        apps.MapPost("/environments/{environment}/abort", async (string app, string environment, HttpContext context, DeployService deploys, IStore store, CancellationToken ct) =>
            await AnswerAsync(await deploys.AbortAsync(app, environment, context.Caller().Name, ct), store, ct)).RequireRole(Roles.Deployer);

        var deploys = routes.MapGroup("/api/v1/deploys").WithTags("Deploys");
        deploys.MapGet("/{id:long}", async (long id, IStore store, CancellationToken ct) =>
            await store.GetDeployAsync(id, ct) is { } d ? Results.Ok(await DeployViews.LoadAsync(store, d, ct)) : Problems.NotFound($"no deploy #{id}"))
            .RequireRole(Roles.Viewer);
        deploys.MapGet("/{id:long}/logs", LogsAsync).RequireRole(Roles.Viewer);
    }

    private static async Task<IResult> StartDeployAsync(string app, HttpContext context, DeployService deploys, IStore store, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<StartDeployRequest>(context.Request, ct);
        if (body is null)
            return error!;
        var (canary, canaryError) = CanarySpec.Parse(body.Canary, body.CanaryHoldSeconds);
        if (canaryError is not null)
            return Problems.BadRequest(canaryError);
        return await StartAsync(new DeployRequest(app, body.Environment, DeployKind.Deploy, body.Version, context.Caller().Name, context.Caller().Role, Trigger(context), IdempotencyKey(context), Queue(context), canary, body.OverrideFreeze), context, deploys, store, ct);
    }

    /// <summary>The release that succeeded in one environment, deployed to the next: refused when it has not succeeded there.</summary>
    private static async Task<IResult> PromoteReleaseAsync(string app, HttpContext context, DeployService deploys, IStore store, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<PromoteReleaseRequest>(context.Request, ct);
        if (body is null)
            return error!;
        context.Audit().Add("from", body.From);
        if (string.IsNullOrWhiteSpace(body.Version) || string.IsNullOrWhiteSpace(body.From) || string.IsNullOrWhiteSpace(body.To))
            return Problems.BadRequest("'version', 'from' and 'to' are required");
        if (body.From == body.To)
            return Problems.BadRequest($"'from' and 'to' are both '{body.To}'");
        if (!await store.SucceededInAsync(app, body.From, body.Version, ct))
            return Problems.Conflict($"{body.Version} has not succeeded in '{body.From}': there is nothing to promote (see 'crossfade history {app} --env {body.From}')");
        var (canary, canaryError) = CanarySpec.Parse(body.Canary, body.CanaryHoldSeconds);
        if (canaryError is not null)
            return Problems.BadRequest(canaryError);
        if (await store.GetReleaseAsync(app, body.Version, ct) is { } release)
            context.Audit().Add("sha256", release.Sha256);
        var caller = context.Caller();
        return await StartAsync(new DeployRequest(app, body.To, DeployKind.Deploy, body.Version, caller.Name, caller.Role, "promotion", IdempotencyKey(context), Queue(context), canary, body.OverrideFreeze),
            context, deploys, store, ct);
    }

    private static async Task<IResult> StartRollbackAsync(string app, HttpContext context, DeployService deploys, IStore store, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<StartRollbackRequest>(context.Request, ct);
        if (body is null)
            return error!;
        return await StartAsync(new DeployRequest(app, body.Environment, DeployKind.Rollback, null, context.Caller().Name, context.Caller().Role, Trigger(context), IdempotencyKey(context), Queue(context)), context, deploys, store, ct);
    }

    private static async Task<IResult> StartConvergeAsync(string app, HttpContext context, DeployService deploys, IStore store, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<StartConvergeRequest>(context.Request, ct);
        if (body is null)
            return error!;
        var kind = body.WhyRun ? DeployKind.WhyRun : DeployKind.Converge;
        return await StartAsync(new DeployRequest(app, body.Environment, kind, null, context.Caller().Name, context.Caller().Role, Trigger(context), IdempotencyKey(context), Queue(context), OverrideFreeze: body.OverrideFreeze), context, deploys, store, ct);
    }

    private static async Task<IResult> StartAsync(DeployRequest request, HttpContext context, DeployService deploys, IStore store, CancellationToken ct)
    {
        var notes = context.Audit().Add("version", request.Version).Add("canary", request.Canary?.ToString()).Add("trigger", request.Trigger)
            .Add("override_freeze", request.OverrideFreeze);
        notes.Environment = request.Environment;
        var start = await deploys.StartAsync(request, ct);
        notes.Add("deploy", start.Deploy?.Id).Add("version", start.Deploy?.Version);
        return await AnswerAsync(start, store, ct);
    }

    private static async Task<IResult> AnswerAsync(DeployStart start, IStore store, CancellationToken ct)
    {
        if (start.Deploy is null)
        {
            var extensions = start.Holder is { } h
                ? new Dictionary<string, object?> { ["deployId"] = h.Id, ["heldBy"] = h.RequestedBy, ["since"] = h.CreatedAt }
                : start.Errors is { } errors ? new Dictionary<string, object?> { ["errors"] = errors } : null;
            return Results.Problem(title: start.Status switch { 404 => "Not found", 409 => "Conflict", 400 => "Bad request", 403 => "Forbidden", 423 => "Frozen", _ => "Refused" },
                detail: start.Refusal, statusCode: start.Status, extensions: extensions);
        }
        var view = await DeployViews.LoadAsync(store, start.Deploy, ct);
        return start.Status == 200 ? Results.Ok(view) : Results.Accepted($"/api/v1/deploys/{view.Id}", view);
    }

    private static async Task<IResult> ListAsync(string app, int? limit, string? environment, IStore store, CancellationToken ct)
    {
        if (await store.GetAppAsync(app, ct) is null)
            return Problems.NotFound($"no app named '{app}'");
        var records = await store.ListDeploysAsync(app, Math.Clamp(limit ?? 20, 1, 500), ct, string.IsNullOrEmpty(environment) ? null : environment);
        return Results.Ok(await DeployViews.LoadAsync(store, records, ct));
    }

    private static async Task<IResult> LogsAsync(long id, string? host, long? after, IStore store, CancellationToken ct)
    {
        if (await store.GetDeployAsync(id, ct) is null)
            return Problems.NotFound($"no deploy #{id}");
        var steps = (await store.ListStepsAsync(id, ct)).ToDictionary(s => s.Id);
        var lines = await store.ReadStepLogAsync(id, host, after ?? 0, ct);
        return Results.Ok(lines.Select(l => new DeployLogLine(l.Seq, steps[l.StepId].Host, steps[l.StepId].Kind, l.Line.At, l.Line.Line)));
    }

    /// <summary>?wait=true queues the deploy behind one in progress instead of refusing it.</summary>
    private static bool Queue(HttpContext context) =>
        bool.TryParse(context.Request.Query["wait"], out var wait) && wait;

    private static string Trigger(HttpContext context) =>
        context.Request.Headers["X-Crossfade-Trigger"].ToString() switch
        {
            "cli" => "cli",
            "demo" => "demo",
            "button" => "button",
            _ => "api",
        };

    private static string? IdempotencyKey(HttpContext context) =>
        context.Request.Headers.TryGetValue("Idempotency-Key", out var key) && key.ToString().Length is > 0 and <= 200 ? key.ToString() : null;
}
