namespace Crossfade.Contracts.V1;

/// <summary>
/// When an environment is busy and when it is quiet: requests per hour by weekday and hour of day in a
/// time zone, averaged over the days asked for, and the quietest windows.
/// </summary>
public sealed record TrafficView(
    string App,
    string Environment,
    string TimeZone,
    DateTimeOffset From,
    DateTimeOffset To,
    long Requests,
    IReadOnlyList<TrafficCell> Cells,
    IReadOnlyList<QuietWindow> Quietest);

/// <summary>One weekday (0 = Monday) and hour of day: the average requests in that hour over the <paramref name="Samples"/> times it occurred.</summary>
public sealed record TrafficCell(int Weekday, int Hour, double RequestsPerHour, int Samples);

/// <summary>A window of <paramref name="Hours"/> hours from a weekday (0 = Monday) and hour, with its average requests per hour.</summary>
public sealed record QuietWindow(int Weekday, int Hour, int Hours, double RequestsPerHour, string Label);
