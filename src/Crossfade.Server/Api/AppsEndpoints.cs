using Crossfade.Server.Audit;
using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Api;

/// <summary>Apps: registered and updated from their spec, listed, read.</summary>
public static class AppsEndpoints
{
    public static void MapApps(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/apps").WithTags("Apps");
        group.MapPost("", ApplyAsync).RequireRole(Roles.Deployer);
        group.MapGet("", async (IStore store, CancellationToken ct) =>
            Results.Ok((await store.ListAppsAsync(ct)).Select(ToView))).RequireRole(Roles.Viewer);
        group.MapGet("/{app}", async (string app, IStore store, CancellationToken ct) =>
            await store.GetAppAsync(app, ct) is { } record ? Results.Ok(ToView(record)) : Problems.NotFound($"no app named '{app}'"))
            .RequireRole(Roles.Viewer);
    }

    /// <summary>The parts of a spec only an admin may change, as comparable text.</summary>
    private static string PrivilegedPart(Core.Specs.AppSpec? spec) =>
        spec is null ? System.Text.Json.JsonSerializer.Serialize(new object?[] { null, Array.Empty<object>(), Array.Empty<object>(), Array.Empty<object>() })
            : System.Text.Json.JsonSerializer.Serialize(new object?[]
            {
                spec.Build, spec.PushTriggers.Branches.Select(b => new[] { b.Pattern, b.Environment }), spec.PushTriggers.Tags.Select(t => new[] { t.Pattern, t.Environment }),
                spec.Environments.Where(e => e.Value.NoticeTargets.Count > 0).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new { e.Key, Targets = e.Value.NoticeTargets }),
            });

    private static async Task<IResult> ApplyAsync(HttpRequest request, IStore store, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<ApplyAppRequest>(request, ct);
        if (body is null)
            return error!;
        var file = string.IsNullOrWhiteSpace(body.FileName) ? "crossfade.yml" : body.FileName;
        var parsed = AppSpecParser.Parse(body.Spec ?? "", file);
        if (!parsed.IsValid)
        {
            var errors = parsed.Errors.Select(e => new SpecErrorView(e.File, e.Line, e.Column, e.Field, e.Message)).ToList();
            return Problems.Unprocessable($"{file} has {errors.Count} error(s); nothing was changed", new Dictionary<string, object?> { ["errors"] = errors });
        }
        var record = new AppRecord(parsed.Spec!.Name, body.Spec!, time.GetUtcNow());
        request.HttpContext.Audit().App = record.Name;
        var before = await store.GetAppAsync(record.Name, ct) is { } old ? AppSpecParser.Parse(old.SpecYaml).Spec : null;
        if (!request.HttpContext.Caller().AtLeast(Roles.Admin) && PrivilegedPart(before) != PrivilegedPart(parsed.Spec))
            return Results.Problem(title: "Forbidden", statusCode: 403,
                detail: "changing 'build', 'triggers' or an environment's 'notify' needs the admin role: a build runs its command on the server, and notices carry app secrets to their addresses");
        await store.UpsertAppAsync(record, ct);
        return Results.Ok(ToView(record));
    }

    public static AppView ToView(AppRecord record)
    {
        var spec = AppSpecParser.Parse(record.SpecYaml).Spec!;
        return new AppView(spec.Name, spec.Run, spec.Worker, spec.Migrate, spec.Health.Path, spec.ProxyPort,
            spec.Environments.Values.Select(e => new EnvironmentView(e.Name, e.Hosts.Select(h => new HostRoleView(h.Name, h.Roles)).ToList())).ToList(),
            record.UpdatedAt);
    }
}
