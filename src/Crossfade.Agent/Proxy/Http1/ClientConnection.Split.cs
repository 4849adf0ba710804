using System.Text;

namespace Crossfade.Agent.Proxy.Http1;

// Which side of a judged split a request goes to.
internal sealed partial class ClientConnection
{
    private static readonly byte[] CookieName = Encoding.ASCII.GetBytes(SplitRoute.Cookie + "=");
    // The side this connection took for a candidate, so a client that keeps no cookies stays on one side.
    private string? _stickyRelease;
    private bool _stickyCandidate;
    // The Set-Cookie value the answer to the current request carries, when its side was drawn.
    private string? _splitCookie;
    // Whether the current request goes to the split's candidate (a retry goes to the same side).
    private bool _toCandidate;

    /// <summary>
    /// The side of the split this request goes to: the one its cookie names for this candidate; else the
    /// one this connection took; else a draw by the split's weight, which the answer's cookie tells the
    /// client, so a browsing user stays on one release for the whole window.
    /// </summary>
    private bool ToCandidate(RequestHead request, SplitRoute split)
    {
        var release = split.Candidate.Release;
        if (CookieSide(request, release) is { } side)
            return side;
        if (_stickyRelease != release)
        {
            _stickyRelease = release;
            _stickyCandidate = Random.Shared.Next(100) < split.WeightPercent;
        }
        _splitCookie = $"{SplitRoute.Cookie}={release}~{(_stickyCandidate ? 'c' : 'b')}; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax";
        return _stickyCandidate;
    }

    /// <summary>The side a <c>crossfade-split</c> cookie names for <paramref name="release"/>: true (candidate), false (baseline), or null.</summary>
    private static bool? CookieSide(RequestHead request, string release)
    {
        if (!request.TryGet("Cookie"u8, out var cookies))
            return null;
        var at = cookies.IndexOf(CookieName);
        // The name must start the header or follow a separator, so "xcrossfade-split=" is not it.
        if (at < 0 || (at > 0 && cookies[at - 1] is not (byte)' ' and not (byte)';'))
            return null;
        var value = cookies[(at + CookieName.Length)..];
        var end = value.IndexOf((byte)';');
        value = (end < 0 ? value : value[..end]).TrimEnd((byte)' ');
        if (value.Length != release.Length + 2 || value[^2] != (byte)'~' || !Ascii.Equals(value[..^2], release))
            return null;
        return value[^1] switch
        {
            (byte)'c' => true,
            (byte)'b' => false,
            _ => null,
        };
    }
}
