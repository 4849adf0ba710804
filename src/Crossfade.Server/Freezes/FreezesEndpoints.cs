using Crossfade.Contracts.V1;
using Crossfade.Core.Freezes;
using Crossfade.Server.Api;
using Crossfade.Server.Audit;
using Crossfade.Server.Auth;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Freezes;

/// <summary>Freezes: listed by anyone, added and removed by admins, each change on the timeline and in the audit trail.</summary>
public static class FreezesEndpoints
{
    private const int MaxReason = 500;

    public static void MapFreezes(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1").WithTags("Freezes");
        group.MapGet("/freezes", async (string? app, IStore store, TimeProvider time, CancellationToken ct) =>
            Results.Ok((await store.ListFreezesAsync(string.IsNullOrEmpty(app) ? null : app, ct)).Select(f => View(f, time.GetUtcNow()))))
            .RequireRole(Roles.Viewer);
        group.MapPost("/apps/{app}/environments/{environment}/freezes", AddAsync).RequireRole(Roles.Admin);
        group.MapDelete("/freezes/{id:long}", RemoveAsync).RequireRole(Roles.Admin);
    }

    private static async Task<IResult> AddAsync(string app, string environment, HttpContext context, IStore store, Telemetry.AppSpecs specs, Timeline timeline, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<CreateFreezeRequest>(context.Request, ct);
        if (body is null)
            return error!;
        if (await store.GetAppAsync(app, ct) is not { } record || specs.Of(record) is not { } spec)
            return Problems.NotFound($"no app named '{app}'");
        if (!spec.Environments.ContainsKey(environment))
            return Problems.NotFound($"'{app}' has no environment '{environment}'");
        var now = time.GetUtcNow();
        var (freeze, problem) = Build(app, environment, body, context.Caller().Name, now);
        if (freeze is null)
            return Problems.BadRequest(problem!);
        context.Audit().Add("window", freeze.Window).Add("reason", freeze.Reason);
        freeze = freeze with { Id = await store.AddFreezeAsync(freeze, ct) };
        context.Audit().Add("freeze", freeze.Id);
        await timeline.PublishAsync(new EventRecord(0, now, EventKinds.FreezeAdded, $"{freeze.CreatedBy} froze {app} in {environment}: {freeze.Window}", freeze.Reason,
            [], "crossfade", AlertTypes.Info, null, null, app, environment, null), ct);
        return Results.Created($"/api/v1/freezes/{freeze.Id}", View(freeze, now));
    }

    /// <summary>The freeze a request describes, or what is wrong with it.</summary>
    public static (Freeze? Freeze, string? Problem) Build(string app, string environment, CreateFreezeRequest body, string by, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(body.Reason))
            return (null, "'reason' is required: say why deploys are held");
        if (body.Reason.Length > MaxReason)
            return (null, $"'reason' is {body.Reason.Length} characters; at most {MaxReason}");
        var reason = AuditText.Clean(body.Reason.Trim(), MaxReason);
        if (body.Every is { } every)
        {
            if (body.From is not null || body.To is not null)
                return (null, "give either 'every' (a recurring window) or 'from' and 'to' (a one-off range), not both");
            var (window, problem) = RecurringWindow.Parse(every);
            if (window is null)
                return (null, problem);
            var zone = string.IsNullOrWhiteSpace(body.Zone) ? "UTC" : body.Zone.Trim();
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found))
                return (null, $"'zone' ('{zone}') is not a time zone; use an IANA name such as Europe/Berlin");
            return (new Freeze(0, app, environment, null, null, window, found.Id, reason, by, now), null);
        }
        if (body.From is not { } from || body.To is not { } to)
            return (null, "give 'from' and 'to' (ISO 8601 times) for a one-off range, or 'every' for a recurring window");
        if (to <= from)
            return (null, $"'to' ({to:u}) must be after 'from' ({from:u})");
        if (to <= now)
            return (null, $"'to' ({to:u}) has passed already");
        return (new Freeze(0, app, environment, from.ToUniversalTime(), to.ToUniversalTime(), null, null, reason, by, now), null);
    }

    private static async Task<IResult> RemoveAsync(long id, HttpContext context, IStore store, Timeline timeline, TimeProvider time, CancellationToken ct)
    {
        if (await store.DeleteFreezeAsync(id, ct) is not { } freeze)
            return Problems.NotFound($"no freeze #{id}; 'crossfade freeze list' shows them");
        var notes = context.Audit();
        notes.App = freeze.App;
        notes.Environment = freeze.Environment;
        notes.Add("window", freeze.Window);
        await timeline.PublishAsync(new EventRecord(0, time.GetUtcNow(), EventKinds.FreezeRemoved, $"{context.Caller().Name} lifted freeze #{id} of {freeze.App} in {freeze.Environment}",
            $"{freeze.Window}: {freeze.Reason}", [], "crossfade", AlertTypes.Info, null, null, freeze.App, freeze.Environment, null), ct);
        return Results.NoContent();
    }

    public static FreezeView View(Freeze f, DateTimeOffset now) =>
        new(f.Id, f.App, f.Environment, f.Window, f.From, f.To, f.Every?.ToString(), f.Zone, f.Reason, f.CreatedBy, f.CreatedAt, f.HoldsUntil(now), f.NextStart(now));
}
