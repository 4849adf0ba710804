using Crossfade.Contracts.V1;
using Crossfade.Server.Dashboard.Live;
using Crossfade.Server.Dashboard.Pages;
using Crossfade.Server.Dashboard.Views;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Dashboard;

/// <summary>The web dashboard, served at / on the API's port: pages, their live parts, and the buttons.</summary>
public static class DashboardEndpoints
{
    public static void MapDashboard(this IEndpointRouteBuilder routes)
    {
        routes.MapDashboardAssets();
        routes.MapSignIn();
        routes.MapGet("/", async (HttpContext context, IStore store, Telemetry.AppSpecs specs, TimeProvider time, ServerOptions options, CancellationToken ct) =>
            DashboardPages.Render<Overview>(context, new { Chrome = DashboardPages.Chrome(context), Board = await BoardLoader.LoadAsync(store, specs, time, options, ct) }))
            .Page(Roles.Viewer);
        routes.MapDeployActions();
        routes.MapDeployPage();
        routes.MapHistory();
        routes.MapTimeline();
        routes.MapRequestsAndAdmin();
    }
}
