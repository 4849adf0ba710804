namespace Crossfade.Core.Naming;

/// <summary>The host names a proxy routes and serves certificates for: letters, digits, '-' and '.', or a wildcard of one label.</summary>
public static class DnsNames
{
    public const string Rule = "letters, digits, '-' and '.', or '*.' and a name";

    public static bool IsName(string name, bool wildcard = true)
    {
        var bare = wildcard && name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        return bare.Length is > 0 and <= 253 && bare.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.')
            && !bare.StartsWith('.') && !bare.EndsWith('.') && !bare.Contains("..", StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether a certificate name belongs to an app that answers <paramref name="hosts"/>: one of them, or a
    /// wildcard of one label standing for at least one of them (<c>*.shop.example</c> for <c>www.shop.example</c>).
    /// </summary>
    public static bool Covers(IEnumerable<string> hosts, string certificateName) =>
        hosts.Any(h => string.Equals(h, certificateName, StringComparison.OrdinalIgnoreCase)
            || certificateName.StartsWith("*.", StringComparison.Ordinal) && h.IndexOf('.', StringComparison.Ordinal) is var dot and > 0
                && string.Equals(h[dot..], certificateName[1..], StringComparison.OrdinalIgnoreCase));
}
