using Crossfade.Core.Telemetry;

namespace Crossfade.Tests.Core.Telemetry;

public class TrafficHeatmapTests
{
    // Monday 2026-11-02 00:00 UTC, two whole weeks.
    private static readonly DateTimeOffset From = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddDays(14);

    /// <summary>100 requests every hour, but 5 at Tuesday 04:00 UTC and 10 at Sunday 03:00 UTC.</summary>
    private static Dictionary<DateTimeOffset, long> TwoWeeks()
    {
        var counts = new Dictionary<DateTimeOffset, long>();
        for (var hour = From; hour < To; hour = hour.AddHours(1))
            counts[hour] = hour switch
            {
                { DayOfWeek: DayOfWeek.Tuesday, Hour: 4 } => 5,
                { DayOfWeek: DayOfWeek.Sunday, Hour: 3 } => 10,
                _ => 100,
            };
        return counts;
    }

    [Fact]
    public void Cells_AverageEachWeekdayAndHourOverTheTimesItOccurred()
    {
        var cells = TrafficHeatmap.Cells(TwoWeeks(), From, To, TimeZoneInfo.Utc);

        cells.Count.ShouldBe(7 * 24);
        cells.ShouldAllBe(c => c.Samples == 2);
        cells.Single(c => c.Weekday == 1 && c.Hour == 4).RequestsPerHour.ShouldBe(5);
        cells.Single(c => c.Weekday == 6 && c.Hour == 3).RequestsPerHour.ShouldBe(10);
        cells.Single(c => c.Weekday == 0 && c.Hour == 0).RequestsPerHour.ShouldBe(100);
    }

    [Fact]
    public void Quietest_NamesTheLowestHoursFirst()
    {
        var cells = TrafficHeatmap.Cells(TwoWeeks(), From, To, TimeZoneInfo.Utc);

        var quiet = TrafficHeatmap.Quietest(cells, 1, 3, "UTC");

        quiet.Select(q => q.Label).Take(2).ShouldBe(["Tue 04:00-05:00 UTC", "Sun 03:00-04:00 UTC"]);
        quiet[0].RequestsPerHour.ShouldBe(5);
        quiet.Count.ShouldBe(3);
    }

    [Fact]
    public void Quietest_ReadsHoursInTheTimeZoneAsked()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var cells = TrafficHeatmap.Cells(TwoWeeks(), From, To, berlin);

        // November: Berlin is an hour ahead of UTC.
        TrafficHeatmap.Quietest(cells, 1, 1, berlin.Id).Single().Label.ShouldBe("Tue 05:00-06:00 Europe/Berlin");
    }

    [Fact]
    public void Quietest_WindowsOfSeveralHours_CrossMidnightAndTheWeeksEnd_AndNeverOverlap()
    {
        var counts = TwoWeeks();
        foreach (var hour in counts.Keys.Where(h => (h.DayOfWeek, h.Hour) is (DayOfWeek.Sunday, 23) or (DayOfWeek.Monday, 0) or (DayOfWeek.Monday, 1)).ToList())
            counts[hour] = 1;
        var cells = TrafficHeatmap.Cells(counts, From, To, TimeZoneInfo.Utc);

        var quiet = TrafficHeatmap.Quietest(cells, 3, 3, "UTC");

        quiet[0].Label.ShouldBe("Sun 23:00-Mon 02:00 UTC");
        quiet[0].RequestsPerHour.ShouldBe(1);
        quiet.Zip(quiet.Skip(1)).ShouldAllBe(p => Math.Abs(p.First.Weekday * 24 + p.First.Hour - (p.Second.Weekday * 24 + p.Second.Hour)) >= 3);
    }

    [Fact]
    public void Cells_AnHourWithNoRecord_CountsAsNone_AndAnHourNeverObserved_IsNotQuiet()
    {
        var oneDay = new Dictionary<DateTimeOffset, long> { [From.AddHours(10)] = 50 };

        var cells = TrafficHeatmap.Cells(oneDay, From, From.AddDays(1), TimeZoneInfo.Utc);

        cells.Single(c => c.Weekday == 0 && c.Hour == 9).RequestsPerHour.ShouldBe(0);
        cells.Single(c => c.Weekday == 0 && c.Hour == 9).Samples.ShouldBe(1);
        cells.Where(c => c.Weekday == 1).ShouldAllBe(c => c.Samples == 0);
        var quiet = TrafficHeatmap.Quietest(cells, 1, 30, "UTC");
        quiet.Count.ShouldBe(24, "only the observed hours can be quiet");
        quiet.ShouldAllBe(q => q.Weekday == 0);
        quiet[^1].Hour.ShouldBe(10, "the one busy hour is the least quiet");
    }

    [Fact]
    public void Cells_TheNightTheClocksGoForward_LeavesTheSkippedLocalHourOneSampleShort()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        // The week of Sunday 2026-03-29, when Berlin skips 02:00-03:00.
        var from = new DateTimeOffset(2026, 3, 23, 0, 0, 0, TimeSpan.Zero);

        var cells = TrafficHeatmap.Cells(new Dictionary<DateTimeOffset, long>(), from, from.AddDays(7), berlin);

        cells.Single(c => c.Weekday == 6 && c.Hour == 2).Samples.ShouldBe(0);
        cells.Sum(c => c.Samples).ShouldBe(7 * 24);
    }

    [Fact]
    public void Cells_TheNightTheClocksGoBack_CountsTheRepeatedLocalHourTwice()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        // The week of Sunday 2026-10-25, when Berlin lives 02:00-03:00 twice.
        var from = new DateTimeOffset(2026, 10, 19, 0, 0, 0, TimeSpan.Zero);

        var cells = TrafficHeatmap.Cells(new Dictionary<DateTimeOffset, long>(), from, from.AddDays(7), berlin);

        cells.Single(c => c.Weekday == 6 && c.Hour == 2).Samples.ShouldBe(2);
        // The week starts at 02:00 local (00:00 UTC in summer time) and ends at 00:59 local (winter time).
        cells.Single(c => c.Weekday == 0 && c.Hour == 1).Samples.ShouldBe(0);
        cells.Single(c => c.Weekday == 0 && c.Hour == 0).Samples.ShouldBe(1);
        cells.Sum(c => c.Samples).ShouldBe(7 * 24);
    }
}
