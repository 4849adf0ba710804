using Crossfade.Contracts.V1;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Notifications;

/// <summary>The outbox as the team sees it: each notice, where it went (by the secret's name, never its value), and how its delivery went.</summary>
public static class NoticesEndpoints
{
    public static void MapNotices(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/v1/notices", async (string? app, int? limit, IStore store, CancellationToken ct) =>
            Results.Ok((await store.ListNoticesAsync(string.IsNullOrEmpty(app) ? null : app, limit ?? 50, ct)).Select(View)))
            .WithTags("Notices").RequireRole(Roles.Viewer);

    public static NoticeView View(OutboxRecord r)
    {
        var target = System.Text.Json.JsonSerializer.Deserialize<Core.Specs.NotifySpec>(r.Target, Notifier.Json)!;
        return new NoticeView(r.Id, r.App, r.Environment, r.Notice, target.Kind, target.Secret, r.DeployId, r.State, r.Attempts, r.NextAt, r.LastError, r.CreatedAt, r.SentAt);
    }
}
