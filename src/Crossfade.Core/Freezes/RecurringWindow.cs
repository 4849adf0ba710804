using System.Globalization;
using System.Text.RegularExpressions;

namespace Crossfade.Core.Freezes;

/// <summary>
/// A window that comes back every week ("Fri 16:00-Mon 08:00") or every day ("18:00-08:00"), in local
/// wall-clock time; it may wrap past the end of the week or the day. Minutes count from Monday 00:00
/// (weekly) or from midnight (daily).
/// </summary>
public sealed partial record RecurringWindow(bool Weekly, int StartMinute, int EndMinute)
{
    private const int Day = 24 * 60;
    private static readonly string[] Days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    private int Period => Weekly ? 7 * Day : Day;

    /// <summary>Reads "Fri 16:00-Mon 08:00" or "18:00-08:00"; the error says what is wrong with the text.</summary>
    public static (RecurringWindow? Window, string? Problem) Parse(string text)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
            return (null, $"'{text}' is not a window: write 'Fri 16:00-Mon 08:00' (weekly) or '18:00-08:00' (every day)");
        var weekly = match.Groups["d1"].Success;
        if (weekly != match.Groups["d2"].Success)
            return (null, $"'{text}' names a day at one end only: give both days ('Fri 16:00-Mon 08:00') or neither ('18:00-08:00')");
        int? Minute(string day, string time, bool end)
        {
            var parts = time.Split(':');
            var hours = int.Parse(parts[0], CultureInfo.InvariantCulture);
            var minutes = int.Parse(parts[1], CultureInfo.InvariantCulture);
            if (minutes > 59 || hours > 24 || (hours == 24 && (minutes > 0 || !end)))
                return null;
            var dayIndex = weekly ? Array.FindIndex(Days, d => d.Equals(day, StringComparison.OrdinalIgnoreCase)) : 0;
            return dayIndex < 0 ? null : dayIndex * Day + hours * 60 + minutes;
        }
        var start = Minute(match.Groups["d1"].Value, match.Groups["t1"].Value, end: false);
        var endMinute = Minute(match.Groups["d2"].Value, match.Groups["t2"].Value, end: true);
        if (start is null || endMinute is null)
            return (null, $"'{text}' has a day or time that does not exist: days are Mon to Sun, times 00:00 to 23:59 (24:00 only as an end)");
        var window = new RecurringWindow(weekly, start.Value, endMinute.Value % (weekly ? 7 * Day : Day));
        if (window.StartMinute == window.EndMinute)
            return (null, $"'{text}' starts where it ends; a freeze of the whole week is a one-off range instead");
        return (window, null);
    }

    /// <summary>Whether the local wall-clock time falls in the window.</summary>
    public bool Contains(DateTime local)
    {
        var p = Position(local);
        return StartMinute < EndMinute ? p >= StartMinute && p < EndMinute : p >= StartMinute || p < EndMinute;
    }

    /// <summary>The local wall-clock time the window holding <paramref name="local"/> ends.</summary>
    public DateTime EndAfter(DateTime local)
    {
        var minute = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified);
        var ahead = ((EndMinute - Position(local)) % Period + Period) % Period;
        return minute.AddMinutes(ahead == 0 ? Period : ahead);
    }

    /// <summary>The local wall-clock time the window next starts after <paramref name="local"/>.</summary>
    public DateTime StartAfter(DateTime local)
    {
        var minute = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified);
        var ahead = ((StartMinute - Position(local)) % Period + Period) % Period;
        return minute.AddMinutes(ahead == 0 ? Period : ahead);
    }

    public override string ToString() => $"{Text(StartMinute)}-{Text(EndMinute)}";

    private string Text(int minute) =>
        (Weekly ? Days[minute / Day] + " " : "") + string.Create(CultureInfo.InvariantCulture, $"{minute % Day / 60:00}:{minute % 60:00}");

    private int Position(DateTime local) =>
        (Weekly ? ((int)local.DayOfWeek + 6) % 7 * Day : 0) + local.Hour * 60 + local.Minute;

    [GeneratedRegex(@"^(?:(?<d1>[A-Za-z]{3})\s+)?(?<t1>\d{1,2}:\d{2})\s*-\s*(?:(?<d2>[A-Za-z]{3})\s+)?(?<t2>\d{1,2}:\d{2})$")]
    private static partial Regex Pattern();
}
