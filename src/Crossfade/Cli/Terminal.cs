using System.Globalization;
using System.Text;

namespace Crossfade.Cli;

/// <summary>
/// Text from elsewhere (a build's output, a record's fields) made safe to print: control characters but
/// the tab, and format characters (a right-to-left override), become '?', so nothing printed can move
/// the cursor, recolour the terminal or fake a line.
/// </summary>
public static class Terminal
{
    public static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
            builder.Append(c != '\t' && (char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format) ? '?' : c);
        return builder.ToString();
    }
}
