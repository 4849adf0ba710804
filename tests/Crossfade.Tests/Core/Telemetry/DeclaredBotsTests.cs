using Crossfade.Core.Telemetry;

namespace Crossfade.Tests.Core.Telemetry;

public class DeclaredBotsTests
{
    [Theory]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")]
    [InlineData("Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)")]
    [InlineData("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36")]
    [InlineData("Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)")]
    [InlineData("Baiduspider+(+http://www.baidu.com/search/spider.htm)")]
    [InlineData("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)")]
    [InlineData("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")]
    public void RobotsThatSaySo_AreBots(string agent) => DeclaredBots.Is(agent).ShouldBeTrue();

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")]
    [InlineData("Mozilla/5.0 (Linux; Android 10; CUBOT X19 Build/QP1A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Mobile Safari/537.36")]
    [InlineData("curl/8.4.0")]
    [InlineData("Mozilla/5.0 (Linux; Android 13) Chrome/119.0 Mobile Safari/537.36 BotanicaShop/3.2")]
    [InlineData("Go-http-client/1.1")]
    [InlineData("")]
    [InlineData(null)]
    public void Browsers_AreNot(string? agent) => DeclaredBots.Is(agent).ShouldBeFalse();

    [Fact]
    public void OnlyTheStartOfALongAgentIsRead() =>
        (DeclaredBots.Is("Googlebot/2.1 " + new string('x', 5000)), DeclaredBots.Is(new string('x', 5000) + " Googlebot/2.1")).ShouldBe((true, false));
}
