using Crossfade.Contracts.V1;
using Crossfade.Server.Api;
using Crossfade.Server.Dashboard.Pages;
using Crossfade.Server.Dashboard.Views;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Dashboard;

/// <summary>The requests page (any signed-in person) and the admin page with its token buttons (admins).</summary>
public static class AdminEndpoints
{
    public static void MapRequestsAndAdmin(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/apps/{app}/{environment}/requests", RequestsAsync).Page(Roles.Viewer);
        routes.MapGet("/admin", async (HttpContext context, IStore store, CancellationToken ct) => await AdminAsync(context, store, null, null, 200, ct))
            .Page(Roles.Admin);
        routes.MapGet("/admin/audit", async (string? who, string? app, bool? verify, HttpContext context, IStore store, CancellationToken ct) =>
        {
            static string? Given(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
            var records = await store.ListAuditAsync(new AuditQuery(Who: Given(who), App: Given(app), Limit: 200), ct);
            return DashboardPages.Render<AuditPage>(context, new
            {
                Chrome = DashboardPages.Chrome(context), Records = records.Select(Audit.AuditEndpoints.View).ToList(),
                // Checking the chain reads all of it: on request, not on every view.
                Check = verify == true ? await Audit.AuditEndpoints.VerifyAsync(store, null, ct) : null, Who = Given(who), App = Given(app),
            });
        }).Page(Roles.Admin);
        routes.MapPost("/admin/tokens", async (HttpContext context, IStore store, TimeProvider time, CancellationToken ct) =>
        {
            var form = await context.Request.ReadFormAsync(ct);
            var (created, problem) = await TokensEndpoints.CreateTokenAsync(store, time, form["role"].ToString(), form["name"].ToString(), Tls.ServerCertificates.PinOf(context.RequestServices), ct);
            return await AdminAsync(context, store, created, problem, created is null ? 400 : 200, ct);
        }).Action(Roles.Admin);
        routes.MapPost("/admin/tokens/{id}/revoke", async (string id, HttpContext context, IStore store, CancellationToken ct) =>
        {
            var (status, problem) = await TokensEndpoints.RevokeTokenAsync(store, id, ct);
            return status == 204 ? Results.Redirect("/admin") : await AdminAsync(context, store, null, problem, status, ct);
        }).Action(Roles.Admin);
    }

    private static async Task<IResult> RequestsAsync(
        string app, string environment, string? q, string? level, string? host, HttpContext context, IStore store, Telemetry.AppSpecs specs, TimeProvider time, CancellationToken ct)
    {
        if (await specs.GetAsync(app, ct) is not { } spec || !spec.Environments.ContainsKey(environment))
            return DashboardPages.Problem(context, 404, "Not found", $"no app '{app}' with an environment '{environment}'");
        static string? Given(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
        var search = new LogQuery(app, environment, Given(q), Given(level), Given(host), Limit: 100);
        var model = await RequestsLoader.LoadAsync(store, app, environment, search, time.GetUtcNow(), ct);
        return DashboardPages.Render<Requests>(context, new { Chrome = DashboardPages.Chrome(context), Model = model });
    }

    private static async Task<IResult> AdminAsync(HttpContext context, IStore store, CreateTokenResponse? created, string? error, int status, CancellationToken ct)
    {
        var tokens = (await store.ListTokensAsync(ct)).Select(t => new TokenInfoView(TokensEndpoints.IdOf(t), t.Name, t.Role, t.CreatedAt)).ToList();
        return DashboardPages.Render<Admin>(context, new
        {
            Chrome = DashboardPages.Chrome(context), Hosts = await store.ListHostsAsync(ct), Tokens = tokens,
            Secrets = await store.ListAllSecretsAsync(ct), Created = created, Error = error,
        }, status);
    }
}
