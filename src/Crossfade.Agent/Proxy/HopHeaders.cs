using Microsoft.Extensions.Primitives;

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

    /// <summary>Headers the Connection header names are hop-by-hop for this message too.</summary>
    public static HashSet<string>? NamedBy(StringValues connection)
    {
        if (StringValues.IsNullOrEmpty(connection))
            return null;
        HashSet<string>? named = null;
        foreach (var value in connection)
            foreach (var token in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (!token.Equals("close", StringComparison.OrdinalIgnoreCase) && !token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
                    (named ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(token);
        return named;
    }
}
