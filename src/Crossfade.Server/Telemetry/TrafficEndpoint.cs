using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;
using Crossfade.Core.Telemetry;
using Crossfade.Server.Api;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Telemetry;

/// <summary>
/// GET …/traffic: requests per hour by weekday and hour of day, in a time zone, over the last days, and
/// the quietest windows — when traffic is lowest, for a deploy that should touch as few people as possible.
/// </summary>
public static class TrafficEndpoint
{
    public static async Task<IResult> GetAsync(
        string app, string environment, int? days, string? tz, int? hours, IStore store, TimeProvider time, CancellationToken ct)
    {
        if (days is < 1 or > 90)
            return Problems.BadRequest("'days' must be 1 to 90");
        if (hours is < 1 or > 24)
            return Problems.BadRequest("'hours' (the quiet window's length) must be 1 to 24");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(tz ?? "UTC", out var zone))
            return Problems.BadRequest($"'{tz}' is not a time zone this server knows (an IANA name such as Europe/Berlin or America/New_York)");
        if (await store.GetAppAsync(app, ct) is not { } record)
            return Problems.NotFound($"no app '{app}'");
        if (AppSpecParser.Parse(record.SpecYaml).Spec is { } spec && !spec.Environments.ContainsKey(environment))
            return Problems.NotFound($"app '{app}' has no environment '{environment}'");
        var to = TrafficHeatmap.Floor(time.GetUtcNow());
        var from = to.AddDays(-(days ?? 28));
        var counts = await store.ListHourlyRequestsAsync(app, environment, from, to, ct);
        // Hours before the first one recorded are not quiet, only unknown (a new app, pruned rollups).
        if (counts.Count > 0 && counts.Keys.Min() is var first && first > from)
            from = first;
        var cells = TrafficHeatmap.Cells(counts, from, to, zone);
        // A zone half an hour off UTC sees each hour start at half past: the labels say so.
        var minutes = Math.Abs((int)zone.GetUtcOffset(to).TotalMinutes % 60);
        var quietest = TrafficHeatmap.Quietest(cells, hours ?? 1, 3, zone.Id, minutes);
        return Results.Ok(new TrafficView(app, environment, zone.Id, from, to, counts.Values.Sum(), cells, quietest));
    }
}
