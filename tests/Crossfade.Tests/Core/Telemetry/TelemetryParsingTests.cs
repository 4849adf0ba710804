using Crossfade.Core.Telemetry;

namespace Crossfade.Tests.Core.Telemetry;

public class TelemetryParsingTests
{
    [Theory]
    [InlineData("/orders/1234", "/orders/{id}")]
    [InlineData("/listings/7?sort=price", "/listings/{id}")]
    [InlineData("/users/3f2a9c1d-0b1e-4c7a-9d2b-1a2b3c4d5e6f/cart", "/users/{id}/cart")]
    [InlineData("/assets/app.9f8e7d6c5b.js", "/assets/app.9f8e7d6c5b.js")]
    [InlineData("/my/feature", "/my/feature")]
    [InlineData("", "/")]
    public void RouteTemplate_FoldsIdsIntoOneRoute(string path, string route) => RouteTemplate.Of(path).ShouldBe(route);

    [Fact]
    public void AccessLine_ProxyJson_IsRead()
    {
        var r = AccessLineParser.Parse("""{"ts":"2026-11-22T04:00:01.5+00:00","method":"POST","path":"/checkout","status":503,"ms":12.5,"bytes":40,"release":"2.0.0","client":"127.0.0.1"}""")!;

        r.Method.ShouldBe("POST");
        r.Status.ShouldBe(503);
        r.Ms.ShouldBe(12.5);
        r.Release.ShouldBe("2.0.0");
        r.At.ShouldBe(DateTimeOffset.Parse("2026-11-22T04:00:01.5Z", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void AccessLine_ProxyJson_SkipsFieldsItDoesNotKnow_NestedOrNot()
    {
        var r = AccessLineParser.Parse("""{"client":{"ip":"127.0.0.1","tags":[1,{"a":"b"}]},"ts":"2026-11-22T04:00:01Z","path":"/orders/9","extra":null,"status":200}""")!;

        r.Path.ShouldBe("/orders/9");
        r.Method.ShouldBe("GET");
        r.Status.ShouldBe(200);
        r.Release.ShouldBeNull();
    }

    [Fact]
    public void AccessLine_NginxCombinedWithRequestTime_IsRead()
    {
        var r = AccessLineParser.Parse("""10.0.0.7 - - [22/Nov/2026:04:01:02 +0000] "GET /listings/3 HTTP/1.1" 200 512 "-" "Mozilla/5.0" 0.004""")!;

        r.Path.ShouldBe("/listings/3");
        r.Status.ShouldBe(200);
        r.Bytes.ShouldBe(512);
        r.Ms.ShouldBe(4, 0.001);
        r.Bot.ShouldBeFalse();
    }

    [Fact]
    public void AccessLine_RobotsAreMarked_ByTheProxysFieldOrTheCombinedFormatsUserAgent()
    {
        AccessLineParser.Parse("""{"ts":"2026-11-22T04:00:01Z","path":"/","status":200,"bot":true}""")!.Bot.ShouldBeTrue();
        AccessLineParser.Parse("""{"ts":"2026-11-22T04:00:01Z","path":"/","status":200,"bot":"yes"}""")!.Bot.ShouldBeFalse("only a JSON true marks a robot");
        AccessLineParser.Parse("""{"ts":"2026-11-22T04:00:01Z","path":"/","status":200}""")!.Bot.ShouldBeFalse();
        AccessLineParser.Parse("""66.249.66.1 - - [22/Nov/2026:04:01:02 +0000] "GET /listings/3 HTTP/1.1" 200 512 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" 0.004""")!
            .Bot.ShouldBeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("GET /listings 200")]
    [InlineData("{\"ts\": \"yesterday\", \"status\": 200, \"path\": \"/\"}")]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"ts\": {\"at\": \"2026-11-22T04:00:01Z\"}, \"status\": 200, \"path\": \"/\"}")]
    [InlineData("{\"ts\": \"2026-11-22T04:00:01Z\", \"status\": \"200\", \"path\": \"/\"}")]
    [InlineData("{\"ts\": \"2026-11-22T04:00:01Z\", \"status\": 200, \"path\": \"/\"} trailing")]
    [InlineData("{\"ts\": \"2026-11-22T04:00:01Z\", \"status\": 200, \"path\": \"/\"")]
    public void AccessLine_Garbage_IsNotARecord(string line) => AccessLineParser.Parse(line).ShouldBeNull();

    [Theory]
    [InlineData("{\"level\":\"Error\",\"msg\":\"boom\"}", "error")]
    [InlineData("2026-11-22 04:00:01 WARN disk almost full", "warning")]
    [InlineData("fail: Microsoft.AspNetCore.Server.Kestrel[13]", "error")]
    [InlineData("info: GearShop.Worker[0] confirmed order 12", "info")]
    [InlineData("   at GearShop.Checkout.Run() in Checkout.cs:line 12", null)]
    public void LogLevel_IsFoundInJsonAndText(string line, string? level) => LogLevels.Of(line).ShouldBe(level);

    [Fact]
    public void LatencyHistogram_PercentilesMergeAcrossMinutes()
    {
        var first = new LatencyHistogram();
        var second = new LatencyHistogram();
        for (var i = 0; i < 90; i++)
            first.Add(4);
        for (var i = 0; i < 10; i++)
            second.Add(400);

        var merged = LatencyHistogram.Parse(first.Serialize());
        merged.Merge(LatencyHistogram.Parse(second.Serialize()));

        merged.Count.ShouldBe(100);
        merged.Percentile(0.5).ShouldBeInRange(3, 5);
        merged.Percentile(0.99).ShouldBeInRange(300, 500);
    }
}

public class ErrorGroupingTests
{
    [Fact]
    public void Fingerprint_SameErrorWithOtherValues_IsTheSame_OtherErrorIsNot()
    {
        var a = ErrorFingerprint.Of("fail: payment 4711 for \"ann\" declined at 2026-11-22 04:00:01\n   at GearShop.Checkout.Pay(Int32 id) in Checkout.cs:line 42");
        var b = ErrorFingerprint.Of("fail: payment 12 for \"bob\" declined at 2026-11-23 09:13:44\n   at GearShop.Checkout.Pay(Int32 id) in Checkout.cs:line 42");
        var c = ErrorFingerprint.Of("fail: payment 12 for \"bob\" declined at 2026-11-23 09:13:44\n   at GearShop.Offers.Make(Int32 id) in Offers.cs:line 9");

        a.Fingerprint.ShouldBe(b.Fingerprint);
        c.Fingerprint.ShouldNotBe(a.Fingerprint);
        a.Message.ShouldBe("fail: payment <n> for \"…\" declined at <n>-<n>-<n> <n>:<n>:<n>");
        a.TopFrame.ShouldBe("at GearShop.Checkout.Pay(Int32 id) in Checkout.cs:line <n>");
    }

    [Theory]
    [InlineData("fail: cart 1234567 lost", "fail: cart 1234567890 lost")]
    [InlineData("fail: token deadbeef01 refused", "fail: token 0badc0ffee refused")]
    public void Fingerprint_ValuesOfAnyLength_AreTheSameError(string one, string other)
    {
        ErrorFingerprint.Of(one).Fingerprint.ShouldBe(ErrorFingerprint.Of(other).Fingerprint);
        ErrorFingerprint.Of("fail: cart 12345678 lost").Message.ShouldBe("fail: cart <n> lost");
        ErrorFingerprint.Of("fail: token deadbeef01 refused").Message.ShouldBe("fail: token <hex> refused");
    }

    [Fact]
    public void LogEntries_StackTraceLinesJoinTheLineBeforeThem()
    {
        var lines = new[]
        {
            "info: started",
            "fail: Unhandled exception",
            "System.InvalidOperationException: boom",
            "   at A.B()",
            "--- End of stack trace from previous location ---",
            "   at C.D()",
            "info: next request",
        };

        var entries = LogEntries.Group(lines, l => l);

        entries.Select(e => e.Count).ShouldBe([1, 1, 4, 1]);
    }
}
