using Crossfade.Core.Telemetry;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Schedules;

/// <summary>The start of the next quiet hour of an environment (as quiet as its quietest, within a tenth), from its last four weeks of traffic.</summary>
public static class QuietHour
{
    private static readonly TimeSpan Lookback = TimeSpan.FromDays(28);

    /// <summary>The next time (after <paramref name="now"/>) the quietest weekday-and-hour begins; null with no traffic recorded.</summary>
    public static async Task<DateTimeOffset?> NextAsync(IStore store, string app, string environment, DateTimeOffset now, CancellationToken ct)
    {
        var to = TrafficHeatmap.Floor(now);
        var from = to - Lookback;
        var counts = await store.ListHourlyRequestsAsync(app, environment, from, to, ct);
        if (counts.Count == 0)
            return null;
        // Hours before the first one recorded are unknown, not quiet.
        if (counts.Keys.Min() is var first && first > from)
            from = first;
        var cells = TrafficHeatmap.Cells(counts, from, to, TimeZoneInfo.Utc).Where(c => c.Samples > 0).ToList();
        if (cells.Count == 0)
            return null;
        // Every hour about as quiet as the quietest (within a tenth) will do: the soonest of them, so a
        // shop quiet at 02:00 every night deploys tonight, not on the weekday that happened to be lowest.
        var lowest = cells.Min(c => c.RequestsPerHour);
        var quiet = cells.Where(c => c.RequestsPerHour <= lowest * 1.1 + 1).Select(c => (c.Weekday, c.Hour)).ToHashSet();
        for (var hour = to.AddHours(1); hour <= to.AddDays(8); hour = hour.AddHours(1))
        {
            if (quiet.Contains((TrafficHeatmap.Weekday(hour), hour.Hour)))
                return hour;
        }
        return null;
    }
}
