namespace Crossfade.Agent.Steps;

/// <summary>Masks secret values in any text that leaves the host: step output, diffs, reasons.</summary>
public sealed class Redactor
{
    public const string Mask = "[redacted]";

    public static readonly Redactor None = new([]);

    // Longest first, so a secret that contains another is masked whole.
    private readonly string[] _values;

    public Redactor(IEnumerable<string> values) =>
        _values = values
            // A multi-line secret (a key file) reaches the log line by line: mask each of its lines too.
            .SelectMany(v => v.Contains('\n') ? [v, .. v.Split('\n').Select(l => l.Trim()).Where(l => l.Length >= 8)] : new[] { v })
            .Where(v => v.Length > 0).Distinct().OrderByDescending(v => v.Length).ToArray();

    public string Apply(string text)
    {
        foreach (var value in _values)
            if (text.Contains(value, StringComparison.Ordinal))
                text = text.Replace(value, Mask, StringComparison.Ordinal);
        return text;
    }

    public string? ApplyOrNull(string? text) => text is null ? null : Apply(text);
}
