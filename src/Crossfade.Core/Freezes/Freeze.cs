namespace Crossfade.Core.Freezes;

/// <summary>
/// A freeze of an app's environment: a one-off range (<paramref name="From"/> to <paramref name="To"/>) or a
/// recurring window in a named time zone, with the reason deploys are held.
/// </summary>
public sealed record Freeze(
    long Id, string App, string Environment, DateTimeOffset? From, DateTimeOffset? To, RecurringWindow? Every, string? Zone,
    string Reason, string CreatedBy, DateTimeOffset CreatedAt)
{
    /// <summary>When the freeze holds at <paramref name="now"/>, the time it ends; null when it does not hold.</summary>
    public DateTimeOffset? HoldsUntil(DateTimeOffset now)
    {
        if (Every is null)
            return From <= now && now < To ? To : null;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone ?? "UTC");
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        return Every.Contains(local) ? ToUtc(Every.EndAfter(local), zone) : null;
    }

    /// <summary>When it next begins after <paramref name="now"/> (a range not begun yet, or the next recurrence); null when it never will.</summary>
    public DateTimeOffset? NextStart(DateTimeOffset now)
    {
        if (Every is null)
            return From > now ? From : null;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone ?? "UTC");
        return ToUtc(Every.StartAfter(TimeZoneInfo.ConvertTime(now, zone).DateTime), zone);
    }

    /// <summary>"Fri 16:00-Mon 08:00 Europe/Berlin" or "2026-12-24 00:00Z to 2026-12-27 00:00Z".</summary>
    public string Window => Every is not null ? $"{Every} {Zone}" : $"{From:yyyy-MM-dd HH:mm}Z to {To:yyyy-MM-dd HH:mm}Z";

    /// <summary>A wall-clock time in a zone as UTC; one the clocks skip (spring forward) moves on to the first that exists.</summary>
    private static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        while (zone.IsInvalidTime(local))
            local = local.AddMinutes(30);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }
}
