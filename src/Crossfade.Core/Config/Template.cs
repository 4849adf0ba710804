using System.Text;
using System.Text.RegularExpressions;
using Crossfade.Core.Specs;

namespace Crossfade.Core.Config;

/// <summary>
/// A config template: text with <c>{{ name }}</c> placeholders. Parsed once, rendered per host; every
/// placeholder keeps its line so a missing variable is reported where it is used.
/// </summary>
public sealed partial class Template
{
    private readonly List<Segment> _segments;

    private Template(string file, List<Segment> segments)
    {
        File = file;
        _segments = segments;
    }

    public string File { get; }

    /// <summary>The variables the template uses, each with the first line that uses it.</summary>
    public IEnumerable<(string Name, int Line, int Column)> Variables =>
        _segments.Where(s => s.Variable is not null).GroupBy(s => s.Variable!).Select(g => (g.Key, g.First().Line, g.First().Column));

    /// <summary>Parses a template; <paramref name="firstLine"/> is the line of the file the text starts on (text inside a YAML file).</summary>
    public static (Template? Template, IReadOnlyList<SpecError> Errors) Parse(string text, string file, int firstLine = 1)
    {
        var errors = new List<SpecError>();
        var segments = new List<Segment>();
        var at = 0;
        while (at < text.Length)
        {
            var open = text.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                segments.Add(new Segment(text[at..], null, 0, 0));
                break;
            }
            segments.Add(new Segment(text[at..open], null, 0, 0));
            var (line, column) = Position(text, open);
            line += firstLine - 1;
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            var newline = text.IndexOf('\n', open);
            if (close < 0 || (newline >= 0 && newline < close))
            {
                errors.Add(new SpecError(file, line, column, "(template)", "'{{' is not closed by '}}' on the same line"));
                break;
            }
            var name = text[(open + 2)..close].Trim();
            if (!NamePattern().IsMatch(name))
                errors.Add(new SpecError(file, line, column, "(template)", $"'{{{{ {name} }}}}' is not a variable name (letters, digits, '_' and '.', starting with a letter)"));
            segments.Add(new Segment(null, name, line, column));
            at = close + 2;
        }
        return errors.Count > 0 ? (null, errors) : (new Template(file, segments), errors);
    }

    /// <summary>Renders with the given variables; returns the names that had no value instead of guessing.</summary>
    public (string Text, IReadOnlyList<string> Missing) Render(IReadOnlyDictionary<string, string> variables)
    {
        var output = new StringBuilder();
        var missing = new List<string>();
        foreach (var segment in _segments)
        {
            if (segment.Variable is null)
                output.Append(segment.Literal);
            else if (variables.TryGetValue(segment.Variable, out var value))
                output.Append(value);
            else if (!missing.Contains(segment.Variable))
                missing.Add(segment.Variable);
        }
        return (output.ToString(), missing);
    }

    private static (int Line, int Column) Position(string text, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        return (line, index - lineStart + 1);
    }

    private sealed record Segment(string? Literal, string? Variable, int Line, int Column);

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.]*\z")]
    private static partial Regex NamePattern();
}
