using Crossfade.Agent.Proxy.Http1;

namespace Crossfade.Agent.Proxy;

/// <summary>Headers that belong to one connection and must not be forwarded (RFC 9110 §7.6.1).</summary>
internal static class HopHeaders
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    public static bool IsHop(string name) => Names.Contains(name);

    /// <summary>Headers the message's Connection header names: hop-by-hop for this message too.</summary>
    public static HashSet<string>? NamedBy(List<HeaderField> headers)
    {
        HashSet<string>? named = null;
        foreach (var h in headers)
            if (h.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                foreach (var token in h.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    if (!token.Equals("close", StringComparison.OrdinalIgnoreCase) && !token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
                        (named ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(token);
        return named;
    }
}
