using System.Text;
using Crossfade.Agent.Proxy.Http1;

namespace Crossfade.Agent.Proxy;

/// <summary>Headers that belong to one connection and must not be forwarded (RFC 9110 §7.6.1).</summary>
internal static class HopHeaders
{
    private static readonly byte[][] Names = [.. new[]
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    }.Select(Encoding.ASCII.GetBytes)];

    /// <summary>
    /// Whether field <paramref name="i"/> of a head is hop-by-hop: one of the fixed names, or a name
    /// the message's Connection field lists.
    /// </summary>
    public static bool IsHop(MessageHead head, int i)
    {
        var name = head.Name(i);
        foreach (var hop in Names)
            if (name.Length == hop.Length && Ascii.EqualsIgnoreCase(name, hop))
                return true;
        return head.HasConnection && head.HasToken("Connection"u8, name);
    }
}
