using System.Text;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>A request's first line and header fields.</summary>
internal sealed class RequestHead : MessageHead
{
    private static readonly string[] KnownMethods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"];

    public string Method { get; private set; } = "";

    public string Target { get; private set; } = "";

    public int Minor { get; private set; }

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

    /// <summary>A new head read from <paramref name="head"/>, or null with the reason.</summary>
    public static RequestHead? Parse(ReadOnlySpan<byte> head, out string? error)
    {
        var request = new RequestHead();
        return request.TryRead(head, out error) ? request : null;
    }

    /// <summary>Reads the next request's head into this instance; false with the reason when it is not valid.</summary>
    public bool TryRead(ReadOnlySpan<byte> head, out string? error)
    {
        var firstLength = Read(head, out error);
        if (firstLength < 0)
            return false;
        var first = head[..firstLength];
        var sp1 = first.IndexOf((byte)' ');
        var sp2 = sp1 < 0 ? -1 : first[(sp1 + 1)..].IndexOf((byte)' ') is var s and >= 0 ? sp1 + 1 + s : -1;
        if (sp1 <= 0 || sp2 < 0 || first[(sp2 + 1)..].Contains((byte)' '))
            return Refuse("the request line is not 'METHOD target HTTP/1.x'", out error);
        var method = first[..sp1];
        var target = first[(sp1 + 1)..sp2];
        if (!HeadSyntax.IsToken(method))
            return Refuse($"'{HeadSyntax.Shorten(method)}' is not a method", out error);
        if (target.Length == 0 || !(target[0] == '/' || target.SequenceEqual("*"u8)
            || HeadSyntax.StartsWithIgnoreCase(target, "http://"u8) || HeadSyntax.StartsWithIgnoreCase(target, "https://"u8)))
            return Refuse("the request target must be a path", out error);
        if (HeadSyntax.HasTargetControl(target))
            return Refuse("the request target holds a control character", out error);
        if (HeadSyntax.Minor(first[(sp2 + 1)..]) is not { } minor)
            return Refuse("only HTTP/1.0 and HTTP/1.1 are spoken here", out error);
        Method = Known(method);
        Target = Encoding.Latin1.GetString(target);
        Minor = minor;
        return true;
    }

    private static string Known(ReadOnlySpan<byte> method)
    {
        foreach (var known in KnownMethods)
            if (method.Length == known.Length && Ascii.Equals(method, known))
                return known;
        return Encoding.Latin1.GetString(method);
    }
}
