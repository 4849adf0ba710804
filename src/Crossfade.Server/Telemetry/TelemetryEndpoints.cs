using Crossfade.Server.Audit;
using Crossfade.Core.Streams;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Telemetry;
using Crossfade.Server.Api;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Telemetry;

/// <summary>Agents ship batches of lines; people ask how requests went, by minute, route, release or host.</summary>
public static class TelemetryEndpoints
{
    private const long MaxBatchBytes = 64L << 20;

    public static void MapTelemetry(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/agent/v1/ingest", IngestAsync).RequireRole(Roles.Agent).SkipAudit();
        routes.MapGet("/api/v1/apps/{app}/environments/{environment}/requests", RequestsAsync).WithTags("Telemetry").RequireRole(Roles.Viewer);
        routes.MapGet("/api/v1/apps/{app}/environments/{environment}/requests/count", async (string app, string environment, string? from, string? to, IStore store, CancellationToken ct) =>
            BadTime(("from", from), ("to", to)) is { } problem ? problem
            : Results.Ok(new { count = await store.CountAccessRecordsAsync(app, environment, Time(from), Time(to), ct) }))
            .WithTags("Telemetry").RequireRole(Roles.Viewer);
        routes.MapGet("/api/v1/apps/{app}/environments/{environment}/logs", SearchAsync).WithTags("Telemetry").RequireRole(Roles.Viewer);
        routes.MapGet("/api/v1/apps/{app}/environments/{environment}/routes/new", NewRoutesAsync).WithTags("Telemetry").RequireRole(Roles.Viewer);
        routes.MapGet("/api/v1/apps/{app}/environments/{environment}/traffic", TrafficEndpoint.GetAsync).WithTags("Telemetry").RequireRole(Roles.Viewer);
        routes.MapGet("/api/v1/apps/{app}/environments/{environment}/judge-record", Judging.JudgeRecordEndpoint.GetAsync).WithTags("Deploys").RequireRole(Roles.Viewer);
        routes.MapGet("/api/v1/apps/{app}/environments/{environment}/errors", async (string app, string environment, string? since, int? limit, IStore store, TimeProvider time, CancellationToken ct) =>
            BadTime(("since", since)) is { } problem ? problem
            : Results.Ok(await store.TopErrorsAsync(app, environment, Time(since) ?? time.GetUtcNow().AddDays(-1), limit ?? 20, ct)))
            .WithTags("Telemetry").RequireRole(Roles.Viewer);
        routes.MapGet("/api/v1/telemetry/counters", async (IStore store, CancellationToken ct) => Results.Ok(await store.IngestCountersAsync(ct)))
            .WithTags("Telemetry").RequireRole(Roles.Viewer);
    }

    private static async Task<IResult> IngestAsync(HttpContext context, IngestService ingest, IStore store, CancellationToken ct)
    {
        var q = context.Request.Query;
        if (!long.TryParse(q["seq"], CultureInfo.InvariantCulture, out var seq) || seq < 1)
            return Problems.BadRequest("'seq' must be the batch's sequence number (1 or more)");
        var dropped = long.TryParse(q["dropped"], CultureInfo.InvariantCulture, out var d) && d > 0 ? d : 0;
        LogBatch? batch;
        try
        {
            Stream body = context.Request.Body;
            if (context.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
                body = new GZipStream(body, CompressionMode.Decompress);
            await using var limited = new LimitedStream(body, MaxBatchBytes, () => new BatchTooLargeException(MaxBatchBytes));
            batch = await JsonSerializer.DeserializeAsync<LogBatch>(limited, JsonBody.Options, ct);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or BatchTooLargeException)
        {
            await store.AddIngestCountersAsync(new Dictionary<string, long> { ["batches_rejected"] = 1 }, ct);
            return Problems.BadRequest($"batch {seq} is not a gzip-compressed JSON batch of lines: {ex.Message}");
        }
        if (batch?.Lines is null || batch.Seq != seq)
        {
            await store.AddIngestCountersAsync(new Dictionary<string, long> { ["batches_rejected"] = 1 }, ct);
            return Problems.BadRequest($"batch {seq} has no lines, or says it is batch {batch?.Seq}");
        }
        return Results.Ok(await ingest.IngestAsync(context.Caller().Name, batch, dropped, ct));
    }

    private static async Task<IResult> RequestsAsync(string app, string environment, HttpRequest request, IStore store, TimeProvider time, CancellationToken ct)
    {
        if (BadTime(("from", request.Query["from"]), ("to", request.Query["to"])) is { } problem)
            return problem;
        var now = time.GetUtcNow();
        var from = Time(request.Query["from"]) ?? now.AddHours(-1);
        var to = Time(request.Query["to"]) ?? now;
        var by = request.Query["by"].ToString() is { Length: > 0 } b ? b : "minute";
        Func<MinuteRollup, string>? key = by switch
        {
            "minute" or "hour" => m => DateTimeOffset.FromUnixTimeSeconds(m.Minute * 60).ToString("yyyy-MM-ddTHH:mmZ", CultureInfo.InvariantCulture),
            "route" => m => $"{m.Method} {m.Route}",
            "release" => m => m.Release,
            "host" => m => m.Host,
            "all" => _ => "all",
            _ => null,
        };
        if (key is null)
            return Problems.BadRequest($"'by' must be minute, hour, route, release, host or all, not '{by}'");
        // Over two hours, hourly rollups answer everything but a per-minute series (the range then starts at the top of its first hour).
        var hourly = by == "hour" || (by != "minute" && to - from > TimeSpan.FromHours(2));
        var rows = await store.ListMinutesAsync(app, environment, from, to, ct, hourly);
        var stats = rows.GroupBy(key).Select(g =>
        {
            var hist = new LatencyHistogram();
            foreach (var m in g)
                hist.Merge(LatencyHistogram.Parse(m.Hist));
            var requests = g.Sum(m => m.Requests);
            var errors = g.Sum(m => m.Errors);
            return new RequestStats(g.Key, requests, errors, requests == 0 ? 0 : Math.Round((double)errors / requests, 5),
                Math.Round(hist.Percentile(0.50), 2), Math.Round(hist.Percentile(0.95), 2), Math.Round(hist.Percentile(0.99), 2));
        }).OrderBy(s => by is "minute" or "hour" ? s.Key : "").ThenByDescending(s => s.Requests).ToList();
        return Results.Ok(stats);
    }

    private static async Task<IResult> SearchAsync(string app, string environment, string? q, string? level, string? host, string? from, string? to, int? limit, IStore store, CancellationToken ct)
    {
        if (BadTime(("from", from), ("to", to)) is { } problem)
            return problem;
        try
        {
            var lines = await store.SearchLogsAsync(new LogQuery(app, environment, string.IsNullOrWhiteSpace(q) ? null : q, level, host, Time(from), Time(to), limit ?? 100), ct);
            return Results.Ok(lines.Select(l => new LogLineView(l.At, l.Host, l.File, l.Level, l.Text)));
        }
        catch (SearchSyntaxException ex)
        {
            return Problems.BadRequest($"the search '{q}' is not valid full-text syntax (words, \"phrases\", AND, OR, NOT, prefix*): {ex.Message}");
        }
    }

    /// <summary>The routes first requested after a time (by default, the end of the last deploy): is the new feature used?</summary>
    private static async Task<IResult> NewRoutesAsync(string app, string environment, string? since, long? deploy, IStore store, CancellationToken ct)
    {
        if (BadTime(("since", since)) is { } problem)
            return problem;
        DateTimeOffset? start = Time(since);
        if (start is null)
        {
            var chosen = deploy is { } id ? await store.GetDeployAsync(id, ct) is { } found && found.App == app ? found : null
                : (await store.ListDeploysAsync(app, 500, ct, environment)).FirstOrDefault(d => d.Kind == DeployKind.Deploy && d.State == DeployState.Succeeded);
            if (chosen is not { FinishedAt: not null })
                return Problems.NotFound(deploy is { } missing ? $"no finished deploy #{missing} of '{app}'" : $"no succeeded deploy of '{app}' in '{environment}' to compare with; pass since=");
            start = chosen.CreatedAt;
        }
        var routes = await store.NewRoutesAsync(app, environment, start.Value, ct);
        return Results.Ok(routes.Select(r => new NewRouteView(r.Method, r.Route, r.FirstSeen, r.Hits)));
    }

    private static DateTimeOffset? Time(string? text) => Core.Time.TimeText.Moment(text);

    /// <summary>A 400 naming the first time parameter that is given but is no time, or null.</summary>
    private static IResult? BadTime(params (string Name, string? Text)[] parameters) =>
        parameters.Select(p => Core.Time.TimeText.Problem(p.Name, p.Text)).FirstOrDefault(p => p is not null) is { } problem
            ? Problems.BadRequest(problem)
            : null;
}
