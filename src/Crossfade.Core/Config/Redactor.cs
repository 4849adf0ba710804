using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Crossfade.Core.Config;

/// <summary>Masks secret values in any text that leaves the host: step output, diffs, reasons.</summary>
public sealed class Redactor
{
    public const string Mask = "[redacted]";

    public static readonly Redactor None = new([]);

    // Longest first, so a secret that contains another is masked whole.
    private readonly string[] _values;

    // Every form of every value, searched at once: most lines hold none, and leave after one scan.
    private readonly SearchValues<string>? _any;

    public Redactor(IEnumerable<string> values)
    {
        _values = values
            // A multi-line secret (a key file) reaches the log line by line: mask each of its lines too.
            .SelectMany(v => v.Contains('\n') ? [v, .. v.Split('\n').Select(l => l.Trim()).Where(l => l.Length >= 8)] : new[] { v })
            .Where(v => v.Length > 0)
            .SelectMany(Forms)
            .Distinct().OrderByDescending(v => v.Length).ToArray();
        _any = _values.Length == 0 ? null : SearchValues.Create(_values, StringComparison.Ordinal);
    }

    /// <summary>
    /// The value as it can appear in a line: itself; percent-encoded as a query string or a form body
    /// carries it (upper- or lower-case hex, a space as %20 or '+'), which is how an access record holds
    /// it; and escaped as in a JSON string (an app's structured log, the proxy's records), with or without
    /// the '\/' some encoders write for a slash.
    /// </summary>
    private static IEnumerable<string> Forms(string value)
    {
        yield return value;
        foreach (var encoded in new[] { Uri.EscapeDataString(value), System.Net.WebUtility.UrlEncode(value) })
        {
            yield return encoded;
            yield return LowerHex(encoded);
        }
        foreach (var json in new[] { JsonEncodedText.Encode(value).ToString(), JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString() })
        {
            yield return json;
            yield return json.Replace("/", "\\/", StringComparison.Ordinal);
        }
    }

    /// <summary>A percent-encoded text with its escapes in lower-case hex (%2f), as some clients write them.</summary>
    private static string LowerHex(string encoded)
    {
        var chars = encoded.ToCharArray();
        for (var i = 0; i + 2 < chars.Length; i++)
            if (chars[i] == '%')
            {
                chars[i + 1] = char.ToLowerInvariant(chars[i + 1]);
                chars[i + 2] = char.ToLowerInvariant(chars[i + 2]);
            }
        return new string(chars);
    }

    /// <summary>
    /// Masks every place any value (in any of its forms) occurs in the text as it came, in one pass:
    /// overlapping places become one mask, and a mask is never searched again (replacing value after
    /// value would let a short secret match inside an earlier mask, and grow the line each time).
    /// </summary>
    public string Apply(string text)
    {
        if (_any is null || text.AsSpan().IndexOfAny(_any) < 0)
            return text;
        List<(int Start, int End)>? places = null;
        foreach (var value in _values)
            for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
                (places ??= []).Add((at, at + value.Length));
        if (places is null)
            return text;
        places.Sort();
        var masked = new StringBuilder(text.Length);
        var copied = 0;
        for (var i = 0; i < places.Count;)
        {
            var (start, end) = places[i++];
            while (i < places.Count && places[i].Start <= end)
                end = Math.Max(end, places[i++].End);
            masked.Append(text, copied, start - copied).Append(Mask);
            copied = end;
        }
        return masked.Append(text, copied, text.Length - copied).ToString();
    }

    public string? ApplyOrNull(string? text) => text is null ? null : Apply(text);

    /// <summary>
    /// Masks a unified diff. Beyond the known values, a removed line shaped like an added line that held a
    /// secret (same text before and after it) is masked too: it holds the value the secret had before,
    /// which this host may never have been told (a key rotated, a file edited by hand).
    /// </summary>
    public string ApplyToDiff(string diff)
    {
        var lines = Apply(diff).Split('\n');
        var shapes = lines.Where(l => l.StartsWith('+') && l.Contains(Mask, StringComparison.Ordinal))
            .Select(l => (Before: l[1..l.IndexOf(Mask, StringComparison.Ordinal)], After: l[(l.LastIndexOf(Mask, StringComparison.Ordinal) + Mask.Length)..]))
            .Where(s => s.Before.Trim().Length >= 3)
            .ToList();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (!line.StartsWith('-') || line.StartsWith("---", StringComparison.Ordinal) || line.Contains(Mask, StringComparison.Ordinal))
                continue;
            var body = line[1..];
            foreach (var (before, after) in shapes)
                if (body.Length >= before.Length + after.Length && body.StartsWith(before, StringComparison.Ordinal) && body.EndsWith(after, StringComparison.Ordinal))
                {
                    lines[i] = "-" + before + Mask + after;
                    break;
                }
        }
        return string.Join('\n', lines);
    }
}
