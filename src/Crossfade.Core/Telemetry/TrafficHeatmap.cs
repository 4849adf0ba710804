using System.Globalization;
using Crossfade.Contracts.V1;

namespace Crossfade.Core.Telemetry;

/// <summary>
/// Builds the weekday × hour picture of an environment's traffic from its hourly request counts: each
/// hour of the period counts once in the cell of its local weekday and hour (an hour with no record
/// counts as none), so a cell is the average of the times it occurred. The quietest windows are the
/// runs of consecutive hours, across midnight and the week's end, with the lowest average.
/// </summary>
public static class TrafficHeatmap
{
    /// <summary>The weekdays' short names, Monday first, as cells number them.</summary>
    public static IReadOnlyList<string> Days { get; } = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    /// <summary>The 7 × 24 cells (Monday 00:00 first) of the hours from <paramref name="from"/> up to <paramref name="to"/>.</summary>
    public static IReadOnlyList<TrafficCell> Cells(IReadOnlyDictionary<DateTimeOffset, long> requestsByHour, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        var sums = new double[7 * 24];
        var samples = new int[7 * 24];
        for (var hour = Floor(from); hour < to; hour = hour.AddHours(1))
        {
            var local = TimeZoneInfo.ConvertTime(hour, zone);
            var cell = Weekday(local) * 24 + local.Hour;
            sums[cell] += requestsByHour.GetValueOrDefault(hour);
            samples[cell]++;
        }
        return Enumerable.Range(0, 7 * 24)
            .Select(i => new TrafficCell(i / 24, i % 24, samples[i] == 0 ? 0 : sums[i] / samples[i], samples[i]))
            .ToList();
    }

    /// <summary>
    /// Up to <paramref name="count"/> windows of <paramref name="hours"/> consecutive hours with the lowest
    /// average, quietest first, none overlapping another; cells never observed are left out.
    /// </summary>
    public static IReadOnlyList<QuietWindow> Quietest(IReadOnlyList<TrafficCell> cells, int hours, int count, string zoneName, int offsetMinutes = 0)
    {
        if (hours is < 1 or > 24)
            throw new ArgumentOutOfRangeException(nameof(hours), "a window is 1 to 24 hours");
        var candidates = new List<(int Start, double Mean)>();
        for (var start = 0; start < cells.Count; start++)
        {
            var window = Enumerable.Range(start, hours).Select(i => cells[i % cells.Count]).ToList();
            if (window.All(c => c.Samples > 0))
                candidates.Add((start, window.Average(c => c.RequestsPerHour)));
        }
        var chosen = new List<(int Start, double Mean)>();
        foreach (var candidate in candidates.OrderBy(c => c.Mean).ThenBy(c => c.Start))
        {
            if (chosen.Count == count)
                break;
            if (chosen.All(c => Distance(c.Start, candidate.Start, cells.Count) >= hours))
                chosen.Add(candidate);
        }
        return chosen.Select(c => new QuietWindow(c.Start / 24, c.Start % 24, hours, c.Mean, Label(c.Start, hours, zoneName, offsetMinutes))).ToList();
    }

    /// <summary>"Tue 04:00-05:00 Europe/Berlin"; in a zone whose hours start at half past UTC's, "Tue 04:30-05:30 Asia/Kolkata".</summary>
    public static string Label(int start, int hours, string zoneName, int offsetMinutes = 0)
    {
        var end = (start + hours) % (7 * 24);
        var endDay = end / 24 == start / 24 && hours < 24 ? "" : Days[end / 24] + " ";
        return string.Create(CultureInfo.InvariantCulture, $"{Days[start / 24]} {start % 24:00}:{offsetMinutes:00}-{endDay}{end % 24:00}:{offsetMinutes:00} {zoneName}");
    }

    /// <summary>Monday = 0 … Sunday = 6.</summary>
    public static int Weekday(DateTimeOffset local) => ((int)local.DayOfWeek + 6) % 7;

    /// <summary>The start of the UTC hour <paramref name="t"/> falls in.</summary>
    public static DateTimeOffset Floor(DateTimeOffset t) => new(t.UtcDateTime.Date.AddHours(t.UtcDateTime.Hour), TimeSpan.Zero);

    private static int Distance(int a, int b, int size)
    {
        var d = Math.Abs(a - b);
        return Math.Min(d, size - d);
    }
}
