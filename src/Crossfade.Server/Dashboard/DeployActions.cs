using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Server.Auth;
using Crossfade.Server.Config;
using Crossfade.Server.Dashboard.Pages;
using Crossfade.Server.Dashboard.Views;
using Crossfade.Server.Deploys;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Dashboard;

/// <summary>
/// The environment page and its buttons: deploy (after a preview of its configuration changes), roll
/// back, converge, why-run, promote and abort — each through the same service, and the same role rule, as the API.
/// </summary>
public static class DeployActions
{
    public static void MapDeployActions(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/apps/{app}/{environment}", EnvironmentAsync).Page(Roles.Viewer);
        routes.MapGet("/apps/{app}/{environment}/deploy", PreviewAsync).Page(Roles.Deployer);
        routes.MapPost("/apps/{app}/{environment}/deploy", DeployAsync).Action(Roles.Deployer);
        routes.MapPost("/apps/{app}/{environment}/rollback", async (string app, string environment, HttpContext context, DeployService deploys, CancellationToken ct) =>
            Answer(context, await deploys.StartAsync(Request(context, app, environment, DeployKind.Rollback, null), ct), $"/apps/{app}/{environment}"))
            .Action(Roles.Deployer);
        routes.MapPost("/apps/{app}/{environment}/converge", async (string app, string environment, HttpContext context, DeployService deploys, CancellationToken ct) =>
        {
            var form = await context.Request.ReadFormAsync(ct);
            var kind = form["whyrun"] == "true" ? DeployKind.WhyRun : DeployKind.Converge;
            return Answer(context, await deploys.StartAsync(Request(context, app, environment, kind, null), ct), $"/apps/{app}/{environment}");
        }).Action(Roles.Deployer);
        routes.MapPost("/apps/{app}/{environment}/promote", async (string app, string environment, HttpContext context, DeployService deploys, CancellationToken ct) =>
            Answer(context, await deploys.PromoteAsync(app, environment, context.Caller().Name, ct), $"/apps/{app}/{environment}"))
            .Action(Roles.Deployer);
        routes.MapPost("/apps/{app}/{environment}/abort", async (string app, string environment, HttpContext context, DeployService deploys, CancellationToken ct) =>
            Answer(context, await deploys.AbortAsync(app, environment, context.Caller().Name, ct), $"/apps/{app}/{environment}"))
            .Action(Roles.Deployer);
    }

    private static async Task<IResult> EnvironmentAsync(
        string app, string environment, string? range, HttpContext context, IStore store, Telemetry.AppSpecs specs, ServerOptions options, TimeProvider time, CancellationToken ct)
    {
        var zone = context.Request.Cookies["crossfade_tz"];
        var model = await EnvironmentLoader.LoadAsync(store, specs, options, app, environment, range, zone, time.GetUtcNow(), ct);
        return model is null
            ? DashboardPages.Problem(context, 404, "Not found", $"no app '{app}' with an environment '{environment}'")
            : DashboardPages.Render<Pages.Environment>(context, new { Chrome = DashboardPages.Chrome(context), Model = model });
    }

    private static async Task<IResult> PreviewAsync(
        string app, string environment, string? version, HttpContext context, IStore store, Telemetry.AppSpecs specs, ConfigService config, TimeProvider time, CancellationToken ct)
    {
        var back = $"/apps/{app}/{environment}";
        if (await store.GetAppAsync(app, ct) is not { } record || specs.Of(record) is not { } spec || !spec.Environments.TryGetValue(environment, out var env))
            return DashboardPages.Problem(context, 404, "Not found", $"no app '{app}' with an environment '{environment}'");
        if (string.IsNullOrEmpty(version) || await store.GetReleaseAsync(app, version, ct) is not { } release)
            return DashboardPages.Problem(context, 404, "Not found", $"'{app}' has no release '{version}'; push it with 'crossfade release push'", back);
        var liveVersion = await store.GetLiveVersionAsync(app, environment, ct);
        var live = liveVersion is null ? null : await store.GetReleaseAsync(app, liveVersion, ct);
        var before = liveVersion is null ? null : await config.SnapshotOfAsync(app, environment, liveVersion, ct);
        var after = await config.SnapshotAsync(spec, environment, version, ct);
        var changes = await ConfigDiffer.BetweenAsync(config, app, environment, (before, live), (after, release), ct);
        var holding = await DeployGate.HoldingAsync(store, app, environment, time.GetUtcNow(), ct);
        return DashboardPages.Render<DeployPreview>(context, new
        {
            Chrome = DashboardPages.Chrome(context), App = app, Environment = environment, Release = release, Live = live, Changes = changes,
            WebHosts = env.Hosts.Where(h => h.Has("web")).Select(h => h.Name).ToList(),
            Frozen = holding is { } h ? DeployGate.Describe(environment, h.Freeze, h.Until) : null,
        });
    }

    private static async Task<IResult> DeployAsync(string app, string environment, HttpContext context, DeployService deploys, CancellationToken ct)
    {
        var form = await context.Request.ReadFormAsync(ct);
        var back = $"/apps/{app}/{environment}";
        var version = form["version"].ToString();
        if (version.Length == 0)
            return DashboardPages.Problem(context, 400, "Bad request", "choose a release to deploy", back);
        int? hold = int.TryParse(form["hold"], System.Globalization.CultureInfo.InvariantCulture, out var h) ? h : null;
        var canaryText = form["canary"].ToString();
        var (canary, error) = CanarySpec.Parse(canaryText.Length == 0 ? null : canaryText, hold);
        if (error is not null)
            return DashboardPages.Problem(context, 400, "Bad request", error, back);
        // The gate decides whether this caller may override (an admin, with a reason); the form only carries it.
        var overrideFreeze = form["override_freeze"].ToString();
        var request = Request(context, app, environment, DeployKind.Deploy, version) with
        {
            Canary = canary, OverrideFreeze = overrideFreeze.Length == 0 ? null : overrideFreeze,
        };
        return Answer(context, await deploys.StartAsync(request, ct), back);
    }

    private static DeployRequest Request(HttpContext context, string app, string environment, DeployKind kind, string? version) =>
        new(app, environment, kind, version, context.Caller().Name, context.Caller().Role, "button", null);

    /// <summary>To the deploy's live page when it started (or was already the answer); the refusal in words when not.</summary>
    private static IResult Answer(HttpContext context, DeployStart start, string back)
    {
        if (start.Deploy is { } deploy)
            return Results.Redirect($"/deploys/{deploy.Id}");
        var detail = start.Refusal ?? "refused";
        if (start.Holder is { } holder)
            detail += $" (deploy #{holder.Id}, started by {holder.RequestedBy})";
        if (start.Errors is { Count: > 0 } errors)
            detail += ": " + string.Join("; ", errors.Select(e => $"{e.File}:{e.Line} {e.Message}"));
        return DashboardPages.Problem(context, start.Status, start.Status == 409 ? "Conflict" : "Refused", detail, back);
    }
}
