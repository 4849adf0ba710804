using Crossfade.Core.Time;

namespace Crossfade.Tests.Core.Time;

public class TimeTextTests
{
    [Theory]
    [InlineData("1763800000", "2025-11-22T08:26:40+00:00")]
    [InlineData("2026-11-22T10:00:00Z", "2026-11-22T10:00:00+00:00")]
    [InlineData("2026-11-22 10:00", "2026-11-22T10:00:00+00:00")]
    [InlineData("2026-11-22T10:00:00+02:00", "2026-11-22T08:00:00+00:00")]
    public void Moment_UnixSecondsOrIso8601(string text, string expected) =>
        TimeText.Moment(text)!.Value.ToUniversalTime().ShouldBe(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("yesterday")]
    public void Moment_AnythingElse_IsNull(string? text) => TimeText.Moment(text).ShouldBeNull();

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("30m", 1800)]
    [InlineData("1.5h", 5400)]
    [InlineData("2d", 172800)]
    public void Span_NumberAndUnit(string text, double seconds) => TimeText.Span(text)!.Value.TotalSeconds.ShouldBe(seconds);

    [Theory]
    [InlineData("30")]
    [InlineData("m")]
    [InlineData("-5m")]
    [InlineData("5w")]
    public void Span_NotOne_IsNull(string text) => TimeText.Span(text).ShouldBeNull();
}
