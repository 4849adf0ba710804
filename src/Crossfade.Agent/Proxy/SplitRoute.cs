using System.Security.Cryptography;
using System.Text;

namespace Crossfade.Agent.Proxy;

/// <summary>
/// A judged split: <see cref="WeightPercent"/> of the clients go to <see cref="Candidate"/>, the others
/// to the live upstream, both instances on this host. Never changes once built; a new weight is a new
/// split, swapped in whole. A client's side is kept in a cookie signed with the split's own key, so a
/// client cannot pick its side (crowding the candidate, or steering the judge), and a cookie from
/// another split is not obeyed.
/// </summary>
public sealed class SplitRoute
{
    /// <summary>The cookie's name; its value is <c>&lt;candidate release&gt;~c|b~&lt;signature&gt;</c>.</summary>
    public const string Cookie = "crossfade-split";

    /// <summary>How long a client keeps its side: longer than any judged window.</summary>
    public const int CookieMaxAgeSeconds = 86_400;

    public SplitRoute(UpstreamSnapshot candidate, int weightPercent, byte[] key)
    {
        Candidate = candidate;
        WeightPercent = weightPercent;
        Key = key;
        CandidateValue = Value(candidate.Release, 'c', key);
        BaselineValue = Value(candidate.Release, 'b', key);
        CandidateSetCookie = SetCookie(CandidateValue);
        BaselineSetCookie = SetCookie(BaselineValue);
    }

    public UpstreamSnapshot Candidate { get; }

    public int WeightPercent { get; }

    /// <summary>The key the split's cookies are signed with, kept in the proxy's state file.</summary>
    public byte[] Key { get; }

    /// <summary>The cookie value of a client on the candidate's side, and of one on the baseline's.</summary>
    public string CandidateValue { get; }

    public string BaselineValue { get; }

    /// <summary>The Set-Cookie field value that puts a client on the candidate's side, and on the baseline's.</summary>
    public string CandidateSetCookie { get; }

    public string BaselineSetCookie { get; }

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    private static string Value(string release, char side, byte[] key)
    {
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{release}~{side}"));
        return $"{release}~{side}~{Convert.ToHexStringLower(mac, 0, 12)}";
    }

    private static string SetCookie(string value) => $"{Cookie}={value}; Path=/; Max-Age={CookieMaxAgeSeconds}; HttpOnly; SameSite=Lax";
}
