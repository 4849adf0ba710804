using System.Text;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>A header field as it arrived: name and value, Latin-1 decoded, the value trimmed.</summary>
internal readonly record struct HeaderField(string Name, string Value);

/// <summary>A request's first line and header fields.</summary>
internal sealed record RequestHead(string Method, string Target, int Minor, List<HeaderField> Headers)
{
    /// <summary>The path of the target, without its query or an absolute form's scheme and authority.</summary>
    public string Path
    {
        get
        {
            var target = Target;
            if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                var slash = target.IndexOf('/', target.IndexOf("//", StringComparison.Ordinal) + 2);
                target = slash < 0 ? "/" : target[slash..];
            }
            var query = target.IndexOf('?');
            return query < 0 ? target : target[..query];
        }
    }
}

/// <summary>A response's status line and header fields.</summary>
internal sealed record ResponseHead(int Minor, int Status, string Reason, List<HeaderField> Headers);

/// <summary>
/// Reads HTTP/1.x message heads strictly (RFC 9112): CRLF line ends only, no folded lines, token
/// header names, no space before the colon. What is not a valid head is refused, never guessed at,
/// so a request cannot mean one thing to the proxy and another to the app.
/// </summary>
internal static class HttpHeads
{
    public const int MaxHeaders = 200;

    public static RequestHead? ParseRequest(ReadOnlySpan<byte> head, out string? error)
    {
        var lines = Lines(head, out error);
        if (lines is null)
            return null;
        var first = lines[0];
        var sp1 = first.IndexOf(' ');
        var sp2 = sp1 < 0 ? -1 : first.IndexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || first.IndexOf(' ', sp2 + 1) >= 0)
            return Fail<RequestHead>("the request line is not 'METHOD target HTTP/1.x'", out error);
        var method = first[..sp1];
        var target = first[(sp1 + 1)..sp2];
        if (!IsToken(method))
            return Fail<RequestHead>($"'{method}' is not a method", out error);
        if (target.Length == 0 || !(target[0] == '/' || target == "*" || target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            return Fail<RequestHead>("the request target must be a path", out error);
        if (Minor(first.AsSpan(sp2 + 1)) is not { } minor)
            return Fail<RequestHead>("only HTTP/1.0 and HTTP/1.1 are spoken here", out error);
        var headers = Fields(lines, out error);
        return headers is null ? null : new RequestHead(method, target, minor, headers);
    }

    public static ResponseHead? ParseResponse(ReadOnlySpan<byte> head, out string? error)
    {
        var lines = Lines(head, out error);
        if (lines is null)
            return null;
        var first = lines[0];
        if (first.Length < 12 || first[8] != ' ' || Minor(first.AsSpan(0, 8)) is not { } minor
            || !int.TryParse(first.AsSpan(9, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status)
            || status < 100 || (first.Length > 12 && first[12] != ' '))
            return Fail<ResponseHead>("the upstream's status line is not 'HTTP/1.x NNN reason'", out error);
        var headers = Fields(lines, out error);
        return headers is null ? null : new ResponseHead(minor, status, first.Length > 13 ? first[13..] : "", headers);
    }

    public static string? Get(List<HeaderField> headers, string name)
    {
        foreach (var h in headers)
            if (h.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                return h.Value;
        return null;
    }

    /// <summary>Whether a comma-separated header (Connection, Transfer-Encoding) has this token.</summary>
    public static bool HasToken(List<HeaderField> headers, string name, string token)
    {
        foreach (var h in headers)
            if (h.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                foreach (var part in h.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    if (part.Equals(token, StringComparison.OrdinalIgnoreCase))
                        return true;
        return false;
    }

    private static List<string>? Lines(ReadOnlySpan<byte> head, out string? error)
    {
        error = null;
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        foreach (var line in lines)
            if (line.Contains('\r') || line.Contains('\n') || line.Contains('\0'))
                return Fail<List<string>>("a line ends in a bare CR or LF, or holds a NUL", out error);
        return lines.Length == 0 || lines[0].Length == 0 ? Fail<List<string>>("the first line is empty", out error) : [.. lines];
    }

    private static List<HeaderField>? Fields(List<string> lines, out string? error)
    {
        error = null;
        if (lines.Count - 1 > MaxHeaders)
            return Fail<List<HeaderField>>($"more than {MaxHeaders} header fields", out error);
        var fields = new List<HeaderField>(lines.Count - 1);
        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':');
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon)))
                return Fail<List<HeaderField>>(line.Length > 0 && (line[0] == ' ' || line[0] == '\t')
                    ? "folded header lines are not accepted" : $"'{Shorten(line)}' is not a header field", out error);
            fields.Add(new HeaderField(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }
        return fields;
    }

    private static int? Minor(ReadOnlySpan<char> version) =>
        version.SequenceEqual("HTTP/1.1") ? 1 : version.SequenceEqual("HTTP/1.0") ? 0 : null;

    private static bool IsToken(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
            if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".Contains(c))
                return false;
        return text.Length > 0;
    }

    private static string Shorten(string line) => line.Length > 40 ? line[..40] + "…" : line;

    private static T? Fail<T>(string message, out string? error) where T : class
    {
        error = message;
        return null;
    }
}
