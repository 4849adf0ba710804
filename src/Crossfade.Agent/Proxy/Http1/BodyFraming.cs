using System.Globalization;

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
    public static BodyFraming? ForRequest(List<HeaderField> headers, out string? error)
    {
        error = null;
        var te = HttpHeads.Get(headers, "Transfer-Encoding");
        var length = ContentLength(headers, out error);
        if (error is not null)
            return null;
        if (te is not null)
        {
            if (length is not null)
                return Refuse("a request may not have both Transfer-Encoding and Content-Length", out error);
            if (!te.Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase) || headers.Count(h => h.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) > 1)
                return Refuse($"Transfer-Encoding '{te}' is not supported (only 'chunked')", out error);
            return new BodyFraming(BodyKind.Chunked);
        }
        return length is > 0 ? new BodyFraming(BodyKind.Length, length.Value) : None;
    }

    /// <summary>A response's body, by the request method and its status and headers.</summary>
    public static BodyFraming? ForResponse(string method, int status, List<HeaderField> headers, out string? error)
    {
        error = null;
        if (method == "HEAD" || status is (>= 100 and < 200) or 204 or 304)
            return None;
        if (HttpHeads.Get(headers, "Transfer-Encoding") is { } te)
            return te.EndsWith("chunked", StringComparison.OrdinalIgnoreCase) ? new BodyFraming(BodyKind.Chunked) : new BodyFraming(BodyKind.UntilClose);
        var length = ContentLength(headers, out error);
        if (error is not null)
            return null;
        return length is { } n ? (n == 0 ? None : new BodyFraming(BodyKind.Length, n)) : new BodyFraming(BodyKind.UntilClose);
    }

    private static long? ContentLength(List<HeaderField> headers, out string? error)
    {
        error = null;
        long? found = null;
        foreach (var h in headers)
        {
            if (!h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                continue;
            foreach (var part in h.Value.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    error = $"Content-Length '{h.Value}' is not a number";
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
