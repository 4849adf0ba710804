namespace Crossfade.Core.Specs;

/// <summary>
/// Where an environment's notices go: a Slack incoming webhook (<see cref="NotifyKinds.Slack"/>), a Slack
/// bot that posts one message per deploy and edits it as the deploy goes (<see cref="NotifyKinds.SlackBot"/>,
/// to <paramref name="Channel"/>), a Microsoft Teams Workflows URL, or a generic webhook signed the
/// Standard Webhooks way. <paramref name="Secret"/> names the app secret holding the URL (or the bot's
/// token): addresses and tokens are never in the spec. <paramref name="Events"/> are the kinds sent.
/// </summary>
public sealed record NotifySpec(string Kind, string Secret, IReadOnlyList<string> Events, string? Channel = null, string? SigningSecret = null, string? Api = null)
{
    /// <summary>The app secrets this target needs.</summary>
    public IEnumerable<string> Secrets => new[] { Secret, SigningSecret }.OfType<string>();
}

/// <summary>The kinds of notice target, and of notice.</summary>
public static class NotifyKinds
{
    public const string Slack = "slack";
    public const string SlackBot = "slack_bot";
    public const string Teams = "teams";
    public const string Webhook = "webhook";

    public static readonly IReadOnlyList<string> Targets = [Slack, SlackBot, Teams, Webhook];

    public const string DeployStarted = "deploy.started";
    public const string DeploySucceeded = "deploy.succeeded";
    public const string DeployFailed = "deploy.failed";
    public const string DeployRolledBack = "deploy.rolled_back";
    public const string JudgeVerdict = "judge.verdict";
    public const string NewError = "error.new";
    public const string FreezeOverride = "freeze.override";
    public const string BuildFailed = "build.failed";

    public static readonly IReadOnlyList<string> Notices = [DeployStarted, DeploySucceeded, DeployFailed, DeployRolledBack, JudgeVerdict, NewError, FreezeOverride, BuildFailed];
}
