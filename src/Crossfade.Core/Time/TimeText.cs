using System.Globalization;

namespace Crossfade.Core.Time;

/// <summary>The ways a time and a span of time are written on the command line and in query strings.</summary>
public static class TimeText
{
    /// <summary>Unix seconds or an ISO 8601 time (UTC when no offset is given); null when it is neither.</summary>
    public static DateTimeOffset? Moment(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds)
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
        : null;

    /// <summary>
    /// What is wrong with the time given as <paramref name="name"/>, for an error message; null when it
    /// is absent or reads as a time.
    /// </summary>
    public static string? Problem(string name, string? text) =>
        string.IsNullOrEmpty(text) || Moment(text) is not null ? null : $"'{name}' must be Unix seconds or an ISO 8601 time, not '{text}'";

    /// <summary>A span written as a number and a unit: <c>30s</c>, <c>30m</c>, <c>6h</c>, <c>2d</c>; null when it is not one.</summary>
    public static TimeSpan? Span(string? text)
    {
        if (text is not { Length: > 1 } || !double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0)
            return null;
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
    }
}
