using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Specs;

public sealed class NotifySpecTests
{
    private static SpecParseResult Parse(string notify) =>
        AppSpecParser.Parse($"app: shop\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n      p-1: [web]\n    notify:\n{notify}");

    [Fact]
    public void Targets_AreReadWithTheirSecretsAndEvents()
    {
        var targets = Parse("      - slack: slack_url\n        events: [deploy.failed, judge.verdict]\n      - slack_bot: bot_token\n        channel: C42\n      - webhook: hook_url\n        signing_secret: hook_key\n")
            .Spec!.Environments["prod"].NoticeTargets;

        targets.Select(t => (t.Kind, t.Secret)).ShouldBe([("slack", "slack_url"), ("slack_bot", "bot_token"), ("webhook", "hook_url")]);
        targets[0].Events.ShouldBe(["deploy.failed", "judge.verdict"]);
        targets[1].Events.Count.ShouldBe(NotifyKinds.Notices.Count);
        targets[2].Secrets.ShouldBe(["hook_url", "hook_key"]);
    }

    [Theory]
    [InlineData("      - slack: https://hooks.slack.com/services/T/B/X\n", "never the URL itself")]
    [InlineData("      - webhook: hook_url\n", "signed the Standard Webhooks way")]
    [InlineData("      - slack_bot: bot_token\n", "posts to a channel")]
    [InlineData("      - slack: slack_url\n        events: [deploy.exploded]\n", "'deploy.exploded' is not a notice")]
    [InlineData("      - slack: a\n        teams: b\n", "names one target")]
    [InlineData("      - slack_bot: t\n        channel: c\n        api: ftp://x\n", "not an http(s) address")]
    public void ABadTarget_IsNamedWhereItIs(string notify, string problem)
    {
        var result = Parse(notify);

        result.IsValid.ShouldBeFalse();
        result.Errors.ShouldContain(e => e.Message.Contains(problem, StringComparison.Ordinal), string.Join("; ", result.Errors.Select(e => e.Message)));
    }
}
