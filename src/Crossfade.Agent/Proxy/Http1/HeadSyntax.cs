using System.Buffers;
using System.Text;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>The character rules of HTTP/1.1 message heads (RFC 9110 §5.6, RFC 9112 §2–5).</summary>
internal static class HeadSyntax
{
    public const string BareEnd = "a line ends in a bare CR or LF, or holds a NUL";
    private static readonly SearchValues<byte> LineBreakers = SearchValues.Create("\r\n\0"u8);
    private static readonly SearchValues<byte> TokenChars = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Whether a line (split at CRLF) still holds a CR, an LF or a NUL.</summary>
    public static bool HasBareEnd(ReadOnlySpan<byte> line) => line.ContainsAny(LineBreakers);

    // Control characters (RFC 5234 CTL); a field value may hold HTAB, a request target nothing of these.
    private static readonly SearchValues<byte> ValueControls = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(b => b != '\t').Select(b => (byte)b), 0x7F]);
    private static readonly SearchValues<byte> TargetControls = SearchValues.Create([.. Enumerable.Range(0, 0x21).Select(b => (byte)b), 0x7F]);

    /// <summary>Whether a field value holds a control character other than HTAB.</summary>
    public static bool HasValueControl(ReadOnlySpan<byte> value) => value.ContainsAny(ValueControls);

    /// <summary>Whether a request target holds a control character or white space.</summary>
    public static bool HasTargetControl(ReadOnlySpan<byte> target) => target.ContainsAny(TargetControls);

    public static bool IsToken(ReadOnlySpan<byte> text) => text.Length > 0 && !text.ContainsAnyExcept(TokenChars);

    /// <summary>The HTTP version of a start line: 1 for HTTP/1.1, 0 for HTTP/1.0, null for anything else.</summary>
    public static int? Minor(ReadOnlySpan<byte> version) =>
        version.SequenceEqual("HTTP/1.1"u8) ? 1 : version.SequenceEqual("HTTP/1.0"u8) ? 0 : null;

    public static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length >= prefix.Length && Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);

    /// <summary>A line for an error message: Latin-1, at most 40 characters.</summary>
    public static string Shorten(ReadOnlySpan<byte> line) =>
        line.Length > 40 ? Encoding.Latin1.GetString(line[..40]) + "…" : Encoding.Latin1.GetString(line);
}
