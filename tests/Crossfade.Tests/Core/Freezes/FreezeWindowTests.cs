using Crossfade.Core.Freezes;

namespace Crossfade.Tests.Core.Freezes;

public sealed class FreezeWindowTests
{
    private static RecurringWindow Window(string text) => RecurringWindow.Parse(text).Window ?? throw new InvalidOperationException(RecurringWindow.Parse(text).Problem);

    private static Freeze Weekly(string text, string zone) =>
        new(1, "shop", "prod", null, null, Window(text), zone, "weekend", "ann", DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData("2026-12-04T15:59", false)] // Friday
    [InlineData("2026-12-04T16:00", true)]
    [InlineData("2026-12-05T12:00", true)] // Saturday
    [InlineData("2026-12-07T07:59", true)] // Monday
    [InlineData("2026-12-07T08:00", false)]
    [InlineData("2026-12-03T12:00", false)] // Thursday
    public void AWeekendWindow_WrapsPastTheWeeksEnd(string local, bool inside)
    {
        Window("Fri 16:00-Mon 08:00").Contains(DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(inside);
    }

    [Fact]
    public void ADailyWindow_WrapsPastMidnight_AndEndsTheNextMorning()
    {
        var nights = Window("18:00-08:00");
        var late = new DateTime(2026, 12, 3, 23, 10, 0);

        (nights.Contains(late), nights.Contains(late.AddHours(10))).ShouldBe((true, false));
        nights.EndAfter(late).ShouldBe(new DateTime(2026, 12, 4, 8, 0, 0));
        nights.ToString().ShouldBe("18:00-08:00");
    }

    [Theory]
    [InlineData("Fri 16:00", "is not a window")]
    [InlineData("Fri 16:00-08:00", "names a day at one end only")]
    [InlineData("Fry 16:00-Mon 08:00", "does not exist")]
    [InlineData("Fri 25:00-Mon 08:00", "does not exist")]
    [InlineData("24:00-08:00", "does not exist")]
    [InlineData("Mon 08:00-Mon 08:00", "starts where it ends")]
    public void ABadWindow_IsNamedWithWhatIsWrong(string text, string problem)
    {
        var (window, error) = RecurringWindow.Parse(text);

        window.ShouldBeNull();
        error!.ShouldContain(problem);
    }

    [Fact]
    public void AFreezeInAZone_HoldsByItsWallClock_AndSaysWhenItEnds()
    {
        var freeze = Weekly("Fri 16:00-Mon 08:00", "Europe/Berlin");
        var fridayEvening = new DateTimeOffset(2026, 12, 4, 15, 30, 0, TimeSpan.Zero); // 16:30 in Berlin

        freeze.HoldsUntil(fridayEvening).ShouldBe(new DateTimeOffset(2026, 12, 7, 7, 0, 0, TimeSpan.Zero));
        freeze.HoldsUntil(fridayEvening.AddHours(-1)).ShouldBeNull();
        freeze.NextStart(fridayEvening.AddHours(-1)).ShouldBe(new DateTimeOffset(2026, 12, 4, 15, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void AnEndTheClocksSkip_MovesToTheFirstTimeThatExists()
    {
        // Berlin springs forward on 28 March 2027: 02:00 becomes 03:00, so 02:30 never happens.
        var freeze = Weekly("Sat 22:00-Sun 02:30", "Europe/Berlin");

        freeze.HoldsUntil(new DateTimeOffset(2027, 3, 27, 22, 0, 0, TimeSpan.Zero))
            .ShouldBe(new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void AOneOffRange_HoldsFromItsStartUntilItsEnd()
    {
        var start = new DateTimeOffset(2026, 12, 24, 0, 0, 0, TimeSpan.Zero);
        var freeze = new Freeze(2, "shop", "prod", start, start.AddDays(3), null, null, "holidays", "ann", start);

        (freeze.HoldsUntil(start.AddSeconds(-1)), freeze.HoldsUntil(start), freeze.HoldsUntil(start.AddDays(3)))
            .ShouldBe((null, start.AddDays(3), null));
    }
}
