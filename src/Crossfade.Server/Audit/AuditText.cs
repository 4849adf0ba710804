using System.Text;

namespace Crossfade.Server.Audit;

/// <summary>
/// Text from a request made safe to keep and print: control characters (a forged line break in a user
/// agent) become spaces, and it is cut to a length.
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
            builder.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c);
        }
        return builder.ToString();
    }
}
