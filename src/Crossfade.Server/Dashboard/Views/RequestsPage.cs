using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Dashboard.Views;

/// <summary>A route's requests since the last deploy, and how that compares with the same length of time before it.</summary>
public sealed record RouteLine(string Method, string Route, long Requests, double ErrorRate, double P95, double? RequestsChange, double? ErrorRateBefore, double? P95Before);

/// <summary>The requests-and-errors page.</summary>
public sealed record RequestsPage(
    string App, string Environment, DeployRecord? Since, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<RouteLine> Routes,
    IReadOnlyList<(string Method, string Route, DateTimeOffset FirstSeen, long Hits)> NewRoutes, IReadOnlyList<ErrorGroup> Errors,
    LogQuery Search, IReadOnlyList<StoredLogLine> Lines, string? SearchError);

/// <summary>Builds the requests page: routes compared across the last deploy, new routes, error fingerprints, a log search.</summary>
public static class RequestsLoader
{
    private static readonly TimeSpan LongestWindow = TimeSpan.FromDays(7);

    public static async Task<RequestsPage> LoadAsync(IStore store, string app, string environment, LogQuery search, DateTimeOffset now, CancellationToken ct)
    {
        var last = (await store.ListDeploysAsync(new DeployFilter(app, environment, State: DeployState.Succeeded, Limit: 20), ct))
            .FirstOrDefault(d => d.Kind is DeployKind.Deploy or DeployKind.Rollback);
        var since = last?.FinishedAt ?? now.AddHours(-1);
        if (now - since > LongestWindow)
            since = now - LongestWindow;
        var hourly = now - since > TimeSpan.FromHours(2);
        // Hourly rows start at the top of their hour: the window starts at the next one, so it never holds
        // minutes from before the deploy (the old release's requests counted as the new one's).
        if (hourly)
            since = new DateTimeOffset(since.UtcDateTime.Date.AddHours(since.UtcDateTime.Hour + 1), TimeSpan.Zero);
        var span = now - since;
        var after = await store.ListRouteStatsAsync(app, environment, since, now, hourly, ct);
        var before = last is null ? [] : await store.ListRouteStatsAsync(app, environment, last.CreatedAt - span, last.CreatedAt.AddMinutes(hourly ? -60 : -1), hourly, ct);
        var old = before.ToDictionary(r => (r.Method, r.Route));
        var routes = after.Take(200).Select(r =>
        {
            var p95 = Charts.Percentiles([r.Hist]).P95;
            old.TryGetValue((r.Method, r.Route), out var b);
            return new RouteLine(r.Method, r.Route, r.Requests, Rate(r.Errors, r.Requests), p95,
                b is null || b.Requests == 0 ? null : (double)r.Requests / b.Requests - 1,
                b is null ? null : Rate(b.Errors, b.Requests), b is null ? null : Charts.Percentiles([b.Hist]).P95);
        }).ToList();
        var fresh = last is null ? [] : await store.NewRoutesAsync(app, environment, last.CreatedAt, ct);
        var errors = await store.TopErrorsAsync(app, environment, now.AddDays(-7), 50, ct);
        IReadOnlyList<StoredLogLine> lines = [];
        string? problem = null;
        try
        {
            lines = await store.SearchLogsAsync(search, ct);
        }
        catch (SearchSyntaxException ex)
        {
            problem = $"the search '{search.Text}' is not valid full-text syntax (words, \"phrases\", AND, OR, NOT, prefix*): {ex.Message}";
        }
        return new RequestsPage(app, environment, last, since, now, routes, fresh, errors, search, lines, problem);
    }

    private static double Rate(long errors, long requests) => requests == 0 ? 0 : (double)errors / requests;
}
