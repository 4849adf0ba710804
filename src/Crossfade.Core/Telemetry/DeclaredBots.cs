using System.Text;

namespace Crossfade.Core.Telemetry;

/// <summary>
/// Whether a request's User-Agent says it comes from a robot: search and social crawlers, link
/// previews, uptime monitors, headless browsers. Only what a client declares is read here (a bot that
/// pretends to be a browser is the proxy's client rules' business). HTTP libraries (curl, Go,
/// python-requests) are not robots here: they are as often another service of the team calling an API.
/// The judge leaves robots' requests out of its comparison: a crawler sweeping old pages on one side of
/// a split says nothing about the release. A client that claims to be a robot only hides its own
/// requests from the judge, never anyone else's.
/// </summary>
public static class DeclaredBots
{
    /// <summary>Robots name themselves early; the rest of a long header is not read.</summary>
    private const int Read = 512;

    // Lower-case words that mark a robot wherever they are.
    private static readonly byte[][] Words =
    [
        "crawl"u8.ToArray(), "spider"u8.ToArray(), "slurp"u8.ToArray(), "facebookexternalhit"u8.ToArray(), "headlesschrome"u8.ToArray(),
    ];

    public static bool Is(string? userAgent) => userAgent is not null && Is(Encoding.Latin1.GetBytes(userAgent));

    /// <summary>The same, over the header's bytes (the proxy reads it without making a string).</summary>
    public static bool Is(ReadOnlySpan<byte> userAgent)
    {
        if (userAgent.IsEmpty)
            return false;
        userAgent = userAgent[..Math.Min(userAgent.Length, Read)];
        Span<byte> lower = stackalloc byte[userAgent.Length];
        for (var i = 0; i < userAgent.Length; i++)
            lower[i] = userAgent[i] is >= (byte)'A' and <= (byte)'Z' ? (byte)(userAgent[i] | 0x20) : userAgent[i];
        foreach (var word in Words)
            if (lower.IndexOf(word) >= 0)
                return true;
        return EndsATokenWithBot(lower);
    }

    /// <summary>
    /// "bot" closing a product name (Googlebot/2.1, AhrefsBot;, Slackbot-LinkExpanding, UptimeRobot/2.0),
    /// not inside a word, and not a phone maker's name (a CUBOT phone's browser).
    /// </summary>
    private static bool EndsATokenWithBot(ReadOnlySpan<byte> lower)
    {
        for (var at = lower.IndexOf("bot"u8); at >= 0;)
        {
            var end = at + 3;
            var closes = end == lower.Length || lower[end] is (byte)'/' or (byte)';' or (byte)' ' or (byte)')' or (byte)'-' or (byte)'_' or (byte)',';
            var phone = at >= 2 && lower[(at - 2)..].StartsWith("cubot"u8);
            if (closes && !phone)
                return true;
            var next = lower[end..].IndexOf("bot"u8);
            at = next < 0 ? -1 : end + next;
        }
        return false;
    }
}
