using System.Globalization;
using System.Text;

namespace Crossfade.Agent.Proxy.Http1;

internal enum BodyKind
{
    None,
    Length,
    Chunked,
    UntilClose,
}

/// <summary>How a message's body is delimited (RFC 9112 §6).</summary>
internal readonly record struct BodyFraming(BodyKind Kind, long Length = 0)
{
    public static readonly BodyFraming None = new(BodyKind.None);

    /// <summary>
    /// A request's body. A request with both Transfer-Encoding and Content-Length, a coding other than
    /// chunked, or Content-Lengths that disagree is refused: the ambiguities request smuggling lives on.
    /// </summary>
    public static BodyFraming? ForRequest(MessageHead head, out string? error)
    {
        var length = ContentLength(head, out error);
        if (error is not null)
            return null;
        if (head.TryGet("Transfer-Encoding"u8, out var te))
        {
            if (length is not null)
                return Refuse("a request may not have both Transfer-Encoding and Content-Length", out error);
            if (!Ascii.EqualsIgnoreCase(te, "chunked"u8) || head.CountOf("Transfer-Encoding"u8) > 1)
                return Refuse($"Transfer-Encoding '{HeadSyntax.Shorten(te)}' is not supported (only 'chunked')", out error);
            return new BodyFraming(BodyKind.Chunked);
        }
        return length is > 0 ? new BodyFraming(BodyKind.Length, length.Value) : None;
    }

    /// <summary>A response's body, by the request method and its status and headers.</summary>
    public static BodyFraming? ForResponse(string method, int status, MessageHead head, out string? error)
    {
        error = null;
        if (method == "HEAD" || status is (>= 100 and < 200) or 204 or 304)
            return None;
        // Transfer-Encoding overrides Content-Length; the relay then drops the Content-Length, so the
        // client never sees both. A coding other than chunked cannot be relayed with sure framing.
        if (head.TryGet("Transfer-Encoding"u8, out var te))
            return Ascii.EqualsIgnoreCase(te, "chunked"u8) && head.CountOf("Transfer-Encoding"u8) == 1
                ? new BodyFraming(BodyKind.Chunked)
                : Refuse($"Transfer-Encoding '{HeadSyntax.Shorten(te)}' is not relayed (only 'chunked')", out error);
        var length = ContentLength(head, out error);
        if (error is not null)
            return null;
        return length is { } n ? (n == 0 ? None : new BodyFraming(BodyKind.Length, n)) : new BodyFraming(BodyKind.UntilClose);
    }

    private static long? ContentLength(MessageHead head, out string? error)
    {
        error = null;
        long? found = null;
        for (var i = 0; i < head.Count; i++)
        {
            if (!Ascii.EqualsIgnoreCase(head.Name(i), "Content-Length"u8))
                continue;
            var value = head.Value(i);
            foreach (var range in value.Split((byte)','))
            {
                if (!long.TryParse(value[range].Trim(" \t"u8), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    error = $"Content-Length '{HeadSyntax.Shorten(value)}' is not a number";
                    return null;
                }
                if (found is { } earlier && earlier != n)
                {
                    error = "Content-Length is given twice with different values";
                    return null;
                }
                found = n;
            }
        }
        return found;
    }

    private static BodyFraming? Refuse(string message, out string? error)
    {
        error = message;
        return null;
    }
}
