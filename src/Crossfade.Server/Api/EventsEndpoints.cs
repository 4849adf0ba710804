using Crossfade.Core.Time;
using System.Globalization;
using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Server.Auth;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Api;

/// <summary>
/// The timeline: events posted by other tools (Datadog's events API shape), read with filters, and
/// followed live as server-sent events.
/// </summary>
public static class EventsEndpoints
{
    private const int MaxTitle = 500, MaxText = 4000, MaxTags = 100, MaxTag = 200;

    public static void MapEvents(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/events").WithTags("Events");
        group.MapPost("", PostAsync).RequireRole(Roles.Deployer);
        group.MapGet("", ListAsync).RequireRole(Roles.Viewer);
        group.MapGet("/stream", StreamAsync).RequireRole(Roles.Viewer);
    }

    private static async Task<IResult> PostAsync(HttpContext context, Timeline timeline, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<PostEventRequest>(context.Request, ct);
        if (body is null)
            return error!;
        if (Invalid(body, time.GetUtcNow()) is { } problem)
            return Problems.BadRequest(problem);
        var tags = (body.Tags ?? []).Select(t => t.Trim()).Where(t => t.Length > 0).ToList();
        string? Tagged(string key) => tags.FirstOrDefault(t => t.StartsWith(key + ":", StringComparison.Ordinal))?[(key.Length + 1)..];
        var draft = new EventRecord(0,
            body.DateHappened is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : time.GetUtcNow(),
            EventKinds.External, body.Title.Trim(), body.Text ?? "", tags, body.SourceTypeName ?? context.Caller().Name,
            body.AlertType ?? AlertTypes.Info, body.AggregationKey, body.Host ?? Tagged("host"), Tagged("app"), Tagged("env"), null);
        var stored = await timeline.PublishAsync(draft, ct);
        return Results.Accepted($"/api/v1/events?after={stored.Id - 1}&limit=1", new PostEventResponse("ok", Timeline.View(stored)));
    }

    private static string? Invalid(PostEventRequest e, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(e.Title))
            return "'title' is required";
        if (e.Title.Length > MaxTitle)
            return $"'title' is {e.Title.Length} characters; at most {MaxTitle}";
        if (e.Text?.Length > MaxText)
            return $"'text' is {e.Text.Length} characters; at most {MaxText}";
        if (e.Tags?.Count > MaxTags)
            return $"{e.Tags.Count} tags; at most {MaxTags}";
        if (e.Tags?.Any(t => t is null || t.Length > MaxTag) == true)
            return $"every tag is a string of at most {MaxTag} characters (\"key:value\" or \"value\")";
        if (e.AlertType is { } alert && !AlertTypes.All.Contains(alert))
            return $"'alert_type' '{alert}' is not one of {string.Join(", ", AlertTypes.All)}";
        if (e.DateHappened is { } s && (s < 946684800 || s > now.AddHours(1).ToUnixTimeSeconds()))
            return $"'date_happened' {s} is not a Unix time in seconds between 2000 and now";
        return null;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, IStore store, CancellationToken ct)
    {
        var (query, problem) = Query(request);
        if (query is null)
            return Problems.BadRequest(problem!);
        var events = await store.ListEventsAsync(query, ct);
        return Results.Ok(events.Select(Timeline.View));
    }

    /// <summary>
    /// Server-sent events, oldest first: what matches after <c>Last-Event-ID</c> (or <c>after</c>), then
    /// each new event as it is published, with a comment every 15 s so proxies keep the line open.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, IStore store, Timeline timeline, CancellationToken ct)
    {
        var (query, problem) = Query(context.Request);
        if (query is null)
        {
            await Problems.BadRequest(problem!).ExecuteAsync(context);
            return;
        }
        var after = long.TryParse(context.Request.Headers["Last-Event-ID"], CultureInfo.InvariantCulture, out var last) ? last : query.AfterId;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.FlushAsync(ct);
        var quiet = 0;
        while (!ct.IsCancellationRequested)
        {
            var batch = await store.ListEventsAsync(query with { AfterId = after, Limit = 500, Newest = false }, ct);
            foreach (var e in batch)
            {
                await context.Response.WriteAsync($"id: {e.Id}\nevent: event\ndata: {JsonSerializer.Serialize(Timeline.View(e), JsonBody.Options)}\n\n", ct);
                after = e.Id;
            }
            if (batch.Count > 0 || ++quiet % 15 == 0)
            {
                if (batch.Count == 0)
                    await context.Response.WriteAsync(": still here\n\n", ct);
                await context.Response.Body.FlushAsync(ct);
            }
            if (batch.Count < 500)
                await timeline.WaitForNextAsync(TimeSpan.FromSeconds(1), ct);
        }
    }

    /// <summary>The filters of <c>crossfade events</c> read from a query string (the timeline page reads the same).</summary>
    public static (EventQuery? Query, string? Problem) Query(HttpRequest request)
    {
        var q = request.Query;
        if ((TimeText.Problem("start", q["start"]) ?? TimeText.Problem("end", q["end"])) is { } timeProblem)
            return (null, timeProblem);
        var start = TimeText.Moment(q["start"]);
        var end = TimeText.Moment(q["end"]);
        var limit = 100;
        if (q["limit"].Count > 0 && (!int.TryParse(q["limit"], CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
            return (null, "'limit' must be a whole number from 1 to 1000");
        long after = 0;
        if (q["after"].Count > 0 && !long.TryParse(q["after"], CultureInfo.InvariantCulture, out after))
            return (null, "'after' must be an event id");
        var tags = q["tags"].SelectMany(t => (t ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        string? Text(string name) => q[name].ToString() is { Length: > 0 } v ? v : null;
        return (new EventQuery(start, end, Text("app"), Text("env"), Text("kind"), tags, after, limit), null);
    }
}
