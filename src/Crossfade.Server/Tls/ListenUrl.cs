using System.Net;

namespace Crossfade.Server.Tls;

/// <summary>The listen addresses as Kestrel takes them (<c>https://0.0.0.0:7400</c>, <c>http://*:80</c>, <c>http://[::1]:7400</c>), read for what matters here.</summary>
public static class ListenUrl
{
    public static string? SchemeOf(string url) => url.IndexOf("://", StringComparison.Ordinal) is var i and > 0 ? url[..i].ToLowerInvariant() : null;

    public static string? HostOf(string url)
    {
        var i = url.IndexOf("://", StringComparison.Ordinal);
        if (i < 0)
            return null;
        var rest = url[(i + 3)..];
        var slash = rest.IndexOf('/');
        if (slash >= 0)
            rest = rest[..slash];
        if (rest.StartsWith('['))
            return rest.IndexOf(']') is var close and > 0 ? rest[1..close] : null;
        var colon = rest.LastIndexOf(':');
        return colon >= 0 ? rest[..colon] : rest;
    }

    /// <summary>Whether only this machine can reach the address (127.0.0.0/8, ::1, localhost).</summary>
    public static bool IsLoopback(string url) =>
        HostOf(url) is { } host && (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address)));

    /// <summary>The addresses that would carry tokens in clear text to other machines: plain HTTP beyond loopback.</summary>
    public static IReadOnlyList<string> PlainBeyondLoopback(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(u => SchemeOf(u) == "http" && !IsLoopback(u)).ToList();

    public static bool AnyHttps(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(u => SchemeOf(u) == "https");
}
