using System.Globalization;
using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Server.Api;
using Crossfade.Server.Config;
using Crossfade.Server.Dashboard.Pages;
using Crossfade.Server.Dashboard.Views;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Dashboard;

/// <summary>The history page with its filters, and the diff between any two deploys.</summary>
public static class HistoryEndpoints
{
    private const int PageSize = 50;

    public static void MapHistory(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/history", HistoryAsync).Page(Roles.Viewer);
        routes.MapGet("/history/diff", DiffAsync).Page(Roles.Viewer);
    }

    private static async Task<IResult> HistoryAsync(string? app, string? environment, string? who, string? outcome, string? trigger, long? before, HttpContext context, IStore store, CancellationToken ct)
    {
        static string? Given(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
        DeployState? state = null;
        if (Given(outcome) is { } o)
        {
            if (!WireNames.TryParse<DeployState>(o, out var parsed))
                return DashboardPages.Problem(context, 400, "Bad request", $"'{o}' is not a deploy outcome; one of {string.Join(", ", Enum.GetNames<DeployState>())}", "/history");
            state = parsed;
        }
        var filter = new DeployFilter(Given(app), Given(environment), Given(who), state, Given(trigger), BeforeId: before, Limit: PageSize);
        var deploys = await store.ListDeploysAsync(filter, ct);
        var query = context.Request.Query.Where(q => q.Key != "before").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}");
        var older = $"/history?{string.Join('&', query.Append($"before={(deploys.Count > 0 ? deploys[^1].Id : 0).ToString(CultureInfo.InvariantCulture)}"))}";
        return DashboardPages.Render<History>(context, new { Chrome = DashboardPages.Chrome(context), Filter = filter, Deploys = deploys, Older = older });
    }

    private static async Task<IResult> DiffAsync(HttpContext context, IStore store, ConfigService config, CancellationToken ct)
    {
        var ids = context.Request.Query["id"].Select(v => long.TryParse(v, CultureInfo.InvariantCulture, out var id) ? id : -1).Distinct().ToList();
        if (ids.Count != 2 || ids.Any(i => i < 1))
            return DashboardPages.Problem(context, 400, "Bad request", "tick exactly two deploys to compare", "/history");
        var a = await store.GetDeployAsync(Math.Min(ids[0], ids[1]), ct);
        var b = await store.GetDeployAsync(Math.Max(ids[0], ids[1]), ct);
        if (a is null || b is null)
            return DashboardPages.Problem(context, 404, "Not found", $"no deploy #{(a is null ? Math.Min(ids[0], ids[1]) : Math.Max(ids[0], ids[1]))}", "/history");
        var releaseA = await store.GetReleaseAsync(a.App, a.Version, ct);
        var releaseB = await store.GetReleaseAsync(b.App, b.Version, ct);
        var changes = a.App == b.App && a.Environment == b.Environment
            ? await ConfigDiffer.BetweenAsync(config, b.App, b.Environment, (Snapshot(a), releaseA), (Snapshot(b), releaseB), ct)
            : ConfigChanges.None with { Errors = ["the two deploys are of different apps or environments: only their releases are compared"], Declared = true };
        return DashboardPages.Render<DeployDiff>(context, new { Chrome = DashboardPages.Chrome(context), A = a, B = b, ReleaseA = releaseA, ReleaseB = releaseB, Changes = changes });
    }

    private static ConfigSnapshot? Snapshot(DeployRecord d) =>
        d.ConfigJson is { } json ? JsonSerializer.Deserialize<ConfigSnapshot>(json, JsonBody.Options) : null;
}
