using System.Text;

namespace Crossfade.Agent.Proxy.Http1;

// Which side of a judged split a request goes to.
internal sealed partial class ClientConnection
{
    // The split this connection drew a side for, and that side, so a client that keeps no cookies stays on one side.
    private SplitRoute? _stickySplit;
    private bool _stickyCandidate;
    // The Set-Cookie value the answer to the current request carries, when its side was drawn.
    private string? _splitCookie;
    // Whether the current request goes to the split's candidate (a retry goes to the same side).
    private bool _toCandidate;

    /// <summary>
    /// The side of the split this request goes to: the one its signed cookie names for this split; else
    /// the one this connection drew; else a draw by the split's weight, which the answer's cookie tells
    /// the client, so a browsing user stays on one release for the whole window.
    /// </summary>
    private bool ToCandidate(RequestHead request, SplitRoute split)
    {
        if (CookieSide(request, split) is { } side)
            return side;
        if (!ReferenceEquals(_stickySplit?.Candidate, split.Candidate))
        {
            _stickySplit = split;
            _stickyCandidate = Random.Shared.Next(100) < split.WeightPercent;
        }
        _splitCookie = _stickyCandidate ? split.CandidateSetCookie : split.BaselineSetCookie;
        return _stickyCandidate;
    }

    /// <summary>
    /// The side a <c>crossfade-split</c> cookie signed for this split names: true (candidate), false
    /// (baseline), or null. Every Cookie field and every cookie in it is looked at, names matched exactly
    /// and quotes taken off, so an unrelated cookie, a stale one or a forged one never decides.
    /// </summary>
    private static bool? CookieSide(RequestHead request, SplitRoute split)
    {
        for (var i = 0; i < request.Count; i++)
        {
            if (!Ascii.EqualsIgnoreCase(request.Name(i), "Cookie"u8))
                continue;
            foreach (var part in request.Value(i).Split((byte)';'))
            {
                var pair = request.Value(i)[part].Trim((byte)' ');
                var equals = pair.IndexOf((byte)'=');
                if (equals < 0 || !Ascii.Equals(pair[..equals], SplitRoute.Cookie))
                    continue;
                var value = pair[(equals + 1)..];
                if (value.Length >= 2 && value[0] == (byte)'"' && value[^1] == (byte)'"')
                    value = value[1..^1];
                if (Ascii.Equals(value, split.CandidateValue))
                    return true;
                if (Ascii.Equals(value, split.BaselineValue))
                    return false;
            }
        }
        return null;
    }
}
