using System.Text;

namespace Crossfade.Server.Audit;

/// <summary>
/// Text from a request made safe to keep and print: control and format characters (a forged line break
/// in a user agent, a right-to-left override) become spaces, and it is cut to a length.
/// </summary>
public static class AuditText
{
    public static string Clean(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var builder = new StringBuilder(Math.Min(text.Length, max + 1));
        foreach (var c in text)
        {
            if (builder.Length == max)
                return builder.Append('…').ToString();
            // Control characters and format characters (a right-to-left override that reorders what a
            // terminal shows) become spaces; so do the line and paragraph separators.
            builder.Append(char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format || c is '\u2028' or '\u2029' ? ' ' : c);
        }
        return builder.ToString();
    }
}
