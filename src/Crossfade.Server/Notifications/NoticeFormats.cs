using System.Globalization;
using System.Text;

namespace Crossfade.Server.Notifications;

/// <summary>A notice in the shapes its targets take: Slack blocks, a Teams Adaptive Card, a generic webhook's JSON.</summary>
public static class NoticeFormats
{
    public static string Emoji(Notice n) => n.AlertType switch
    {
        "success" => ":white_check_mark:",
        "error" => ":x:",
        "warning" => ":warning:",
        _ => ":rocket:",
    };

    /// <summary>The lines every format shows: who, which release and commit, where, outcome and why, how long.</summary>
    public static IReadOnlyList<(string Label, string Value)> Facts(Notice n)
    {
        var facts = new List<(string, string)> { ("Where", $"{n.App} / {n.Environment}") };
        if (n.Who is not null)
            facts.Add(("Who", n.Who));
        if (n.Release is not null)
            facts.Add(("Release", n.Release));
        if (n.Commit is not null)
            facts.Add(("Commit", n.Commit[..Math.Min(12, n.Commit.Length)] + (n.CommitMessage is null ? "" : $" {n.CommitMessage}")));
        if (n.Outcome is not null)
            facts.Add(("Outcome", n.Outcome));
        if (n.Reason is not null)
            facts.Add(("Reason", n.Reason));
        if (n.Seconds is { } s)
            facts.Add(("Duration", s.ToString("0.0", CultureInfo.InvariantCulture) + " s"));
        return facts;
    }

    /// <summary>An incoming webhook's (or chat.postMessage's) body: a fallback text and blocks.</summary>
    public static object Slack(Notice n, string? channel = null, string? ts = null)
    {
        var fields = Facts(n).Select(f => new { type = "mrkdwn", text = $"*{f.Label}*\n{Escape(f.Value)}" }).ToList();
        var blocks = new List<object>
        {
            new { type = "section", text = new { type = "mrkdwn", text = $"{Emoji(n)} *{Escape(n.Title)}*" + (n.Text.Length == 0 ? "" : $"\n{Escape(n.Text)}") } },
            new { type = "section", fields = fields.Take(10).ToList() },
        };
        if (n.Link is not null)
            blocks.Add(new { type = "actions", elements = new object[] { new { type = "button", text = new { type = "plain_text", text = "Open in Crossfade" }, url = n.Link } } });
        return new Dictionary<string, object?>
        {
            ["channel"] = channel, ["ts"] = ts, ["text"] = Escape(n.Title), ["blocks"] = blocks,
        }.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value);
    }

    /// <summary>A Teams Workflows message: one Adaptive Card with the facts and a link.</summary>
    public static object Teams(Notice n)
    {
        var body = new List<object>
        {
            new { type = "TextBlock", text = n.Title, weight = "Bolder", size = "Medium", wrap = true, color = n.AlertType switch { "success" => "Good", "error" => "Attention", "warning" => "Warning", _ => "Default" } },
        };
        if (n.Text.Length > 0)
            body.Add(new { type = "TextBlock", text = n.Text, wrap = true });
        body.Add(new { type = "FactSet", facts = Facts(n).Select(f => new { title = f.Label, value = f.Value }).ToList() });
        var card = new Dictionary<string, object>
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json", ["type"] = "AdaptiveCard", ["version"] = "1.4", ["body"] = body,
        };
        if (n.Link is not null)
            card["actions"] = new object[] { new { type = "Action.OpenUrl", title = "Open in Crossfade", url = n.Link } };
        return new { type = "message", attachments = new object[] { new { contentType = "application/vnd.microsoft.card.adaptive", contentUrl = (string?)null, content = card } } };
    }

    /// <summary>A generic webhook's body: the notice's kind, time and every field.</summary>
    public static object Generic(Notice n) => new { type = n.Kind, timestamp = n.At, data = n };

    // Slack's mrkdwn treats &, < and > as markup: a commit message must not make a link or a mention.
    private static string Escape(string text) =>
        new StringBuilder(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").ToString();
}
