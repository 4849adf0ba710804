using Crossfade.Contracts.V1;
using Crossfade.Server.Api;
using Crossfade.Server.Dashboard.Pages;
using Crossfade.Server.Dashboard.Pages.Parts;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Dashboard.Live;

/// <summary>The timeline page and its live feed: events published after the newest one shown, as rows to put on top.</summary>
public static class TimelineStream
{
    private static readonly TimeSpan MaxFollow = TimeSpan.FromHours(2);

    public static void MapTimeline(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/timeline", PageAsync).Page(Roles.Viewer);
        routes.MapGet("/timeline/live", FollowAsync).Page(Roles.Viewer);
    }

    private static async Task<IResult> PageAsync(string? deploy, HttpContext context, IStore store, CancellationToken ct)
    {
        var (query, problem) = EventsEndpoints.Query(context.Request);
        if (query is null)
            return DashboardPages.Render<TimelinePage>(context, new { Chrome = DashboardPages.Chrome(context), Query = new EventQuery(), Events = Array.Empty<EventRecord>(), Error = problem }, 400);
        if (long.TryParse(deploy, out var deployId))
            query = query with { Tags = [.. query.Tags ?? [], $"deploy:{deployId}"] };
        var events = await store.ListEventsAsync(query, ct);
        var newest = events.Count == 0 ? query.AfterId : events.Max(e => e.Id);
        var kept = QueryWithout(context.Request, "after");
        var live = query.End is null ? $"/timeline/live?{kept}{(kept.Length > 0 ? "&" : "")}after={newest}" : null;
        return DashboardPages.Render<TimelinePage>(context, new
        {
            Chrome = DashboardPages.Chrome(context), Query = query, Events = events, Live = live,
            Start = context.Request.Query["start"].ToString(), End = context.Request.Query["end"].ToString(),
        });
    }

    private static async Task FollowAsync(string? deploy, HttpContext context, IStore store, Timeline timeline, FragmentRenderer fragments, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var (query, _) = EventsEndpoints.Query(context.Request);
        if (query is null)
            return;
        if (long.TryParse(deploy, out var deployId))
            query = query with { Tags = [.. query.Tags ?? [], $"deploy:{deployId}"] };
        ServerSentEvents.Start(context.Response);
        await context.Response.Body.FlushAsync(ct);
        var after = ServerSentEvents.ResumeAfter(context.Request, query.AfterId);
        var started = time.GetUtcNow();
        var (checkedAt, spokeAt) = (started, started);
        try
        {
            while (!ct.IsCancellationRequested && time.GetUtcNow() - started < MaxFollow)
            {
                var next = timeline.WaitForNextAsync(TimeSpan.FromSeconds(2), ct);
                var now = time.GetUtcNow();
                if (now - checkedAt >= TimeSpan.FromSeconds(5))
                {
                    if (!await DashboardPages.StillSignedInAsync(context))
                        break;
                    checkedAt = now;
                }
                var batch = await store.ListEventsAsync(query with { AfterId = after, Start = null, Limit = 200, Newest = false }, ct);
                if (batch.Count > 0)
                {
                    after = batch[^1].Id;
                    var rows = await fragments.RenderAsync<EventRows>(new Dictionary<string, object?> { ["Events"] = batch.Reverse().ToList() });
                    await ServerSentEvents.SendAsync(context.Response, "events", rows, ct, after);
                    spokeAt = now;
                }
                else if (now - spokeAt >= ServerSentEvents.KeepAlive)
                {
                    await ServerSentEvents.PingAsync(context.Response, ct);
                    spokeAt = now;
                }
                await next;
            }
        }
        catch (OperationCanceledException)
        {
            // The viewer left.
        }
    }

    /// <summary>The page's query string without <paramref name="name"/>, without its leading '?'.</summary>
    private static string QueryWithout(HttpRequest request, string name)
    {
        var kept = request.Query.Where(q => q.Key != name).Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}").ToList();
        return string.Join('&', kept);
    }
}
