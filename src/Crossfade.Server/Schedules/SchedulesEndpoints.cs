using System.Globalization;
using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Server.Api;
using Crossfade.Server.Audit;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Schedules;

/// <summary>Deploys scheduled for later: created by deployers, listed by anyone, canceled before they start.</summary>
public static class SchedulesEndpoints
{
    private static readonly TimeSpan Horizon = TimeSpan.FromDays(90);

    public static void MapSchedules(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1").WithTags("Schedules");
        group.MapPost("/apps/{app}/schedules", CreateAsync).RequireRole(Roles.Deployer);
        group.MapGet("/schedules", async (string? app, bool? all, IStore store, CancellationToken ct) =>
            Results.Ok((await store.ListSchedulesAsync(string.IsNullOrEmpty(app) ? null : app, openOnly: all != true, ct)).Select(View)))
            .RequireRole(Roles.Viewer);
        group.MapDelete("/schedules/{id:long}", CancelAsync).RequireRole(Roles.Deployer);
    }

    private static async Task<IResult> CreateAsync(string app, HttpContext context, IStore store, Telemetry.AppSpecs specs, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<ScheduleDeployRequest>(context.Request, ct);
        if (body is null)
            return error!;
        var notes = context.Audit().Add("version", body.Version).Add("at", body.At);
        notes.Environment = body.Environment;
        if (await store.GetAppAsync(app, ct) is not { } record || specs.Of(record) is not { } spec)
            return Problems.NotFound($"no app named '{app}'");
        if (!spec.Environments.ContainsKey(body.Environment ?? ""))
            return Problems.NotFound($"'{app}' has no environment '{body.Environment}'");
        if (string.IsNullOrWhiteSpace(body.Version) || await store.GetReleaseAsync(app, body.Version, ct) is null)
            return Problems.NotFound($"'{app}' has no release '{body.Version}'; push it with 'crossfade release push'");
        var (canary, canaryError) = CanarySpec.Parse(body.Canary, body.CanaryHoldSeconds);
        if (canaryError is not null)
            return Problems.BadRequest(canaryError);
        var now = time.GetUtcNow();
        var quiet = string.Equals(body.At, "quiet", StringComparison.OrdinalIgnoreCase);
        DateTimeOffset runAt;
        if (quiet)
        {
            if (await QuietHour.NextAsync(store, app, body.Environment!, now, ct) is not { } next)
                return Problems.Unprocessable($"'{body.Environment}' has no traffic recorded yet, so it has no quiet hour; give a time instead");
            runAt = next;
        }
        else if (!DateTimeOffset.TryParse(body.At, CultureInfo.InvariantCulture, DateTimeStyles.None, out runAt) || !HasZone(body.At))
        {
            return Problems.BadRequest($"'at' is an ISO 8601 time with its offset (2026-12-03T04:30:00Z) or 'quiet', not '{body.At}'");
        }
        if (runAt <= now)
            return Problems.BadRequest($"'at' ({runAt.ToUniversalTime():u}) has passed already");
        if (runAt - now > Horizon)
            return Problems.BadRequest($"'at' ({runAt.ToUniversalTime():u}) is more than {Horizon.TotalDays:0} days ahead");
        var caller = context.Caller();
        var draft = new ScheduleRecord(0, app, body.Environment!, body.Version, canary?.ToString(), canary?.HoldSeconds, runAt.ToUniversalTime(), quiet,
            caller.Name, caller.Role, now, ScheduleStates.Pending, null, null);
        var created = draft with { Id = await store.AddScheduleAsync(draft, ct) };
        notes.Add("schedule", created.Id).Add("run_at", created.RunAt.ToString("u", CultureInfo.InvariantCulture));
        return Results.Created($"/api/v1/schedules/{created.Id}", View(created));
    }

    private static async Task<IResult> CancelAsync(long id, HttpContext context, IStore store, CancellationToken ct)
    {
        var schedule = await store.GetScheduleAsync(id, ct);
        if (schedule is null)
            return Problems.NotFound($"no scheduled deploy #{id}");
        var notes = context.Audit();
        notes.App = schedule.App;
        notes.Environment = schedule.Environment;
        var open = new[] { ScheduleStates.Pending, ScheduleStates.Waiting };
        if (!await store.MoveScheduleAsync(id, open, ScheduleStates.Canceled, schedule.RunAt, null, $"canceled by {context.Caller().Name}", ct))
            return Problems.Conflict($"scheduled deploy #{id} is {schedule.State}{(schedule.DeployId is { } d ? $" (deploy #{d})" : "")}: only a pending or waiting one can be canceled");
        return Results.NoContent();
    }

    private static bool HasZone(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || System.Text.RegularExpressions.Regex.IsMatch(text, @"[+-]\d{2}:?\d{2}$");

    public static ScheduleView View(ScheduleRecord s) =>
        new(s.Id, s.App, s.Environment, s.Version, s.RunAt, s.Quiet, s.State, s.DeployId, s.Reason, s.RequestedBy, s.CreatedAt, s.Canary);
}
