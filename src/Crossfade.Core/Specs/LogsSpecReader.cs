using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Crossfade.Core.Specs;

/// <summary>
/// Reads the spec's <c>logs:</c>: log files the agents follow besides <c>shared/log/*.log</c>, and
/// the patterns that make a line an error whatever its level says.
/// </summary>
internal static class LogsSpecReader
{
    public const int MaxFiles = 20;
    public const int MaxPatterns = 50;

    public static LogsSpec Read(SpecNodeReader reader, YamlMappingNode root)
    {
        var node = reader.OptionalMapping(root, "logs");
        if (node is null)
            return LogsSpec.None;
        reader.RejectUnknownKeys(node, ["files", "error_patterns"], "logs.");
        var files = reader.StringList(node, "files");
        foreach (var file in files)
            if (LogFilePattern.Problem(file) is { } problem)
                reader.ErrorAt(node, "files", $"'{file}': {problem}", "logs.");
        if (files.Count > MaxFiles)
            reader.ErrorAt(node, "files", $"at most {MaxFiles} entries, not {files.Count}", "logs.");
        var patterns = reader.StringList(node, "error_patterns");
        foreach (var pattern in patterns)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(50));
            }
            catch (ArgumentException ex)
            {
                reader.ErrorAt(node, "error_patterns", $"'{pattern}' is not a valid regular expression: {ex.Message}", "logs.");
            }
        }
        if (patterns.Count > MaxPatterns)
            reader.ErrorAt(node, "error_patterns", $"at most {MaxPatterns} patterns, not {patterns.Count}", "logs.");
        return new LogsSpec(files, patterns);
    }
}

/// <summary>What an app's logs are, beyond its instances' output and the proxy's access records.</summary>
public sealed record LogsSpec(IReadOnlyList<string> Files, IReadOnlyList<string> ErrorPatterns)
{
    public static readonly LogsSpec None = new([], []);
}

/// <summary>
/// A followed log file's path as the spec gives it: absolute, or relative to the app's folder on the
/// host (<c>shared/data/payments.log</c>); <c>*</c> and <c>?</c> only in the file name.
/// </summary>
public static class LogFilePattern
{
    public static string? Problem(string path)
    {
        var parts = path.Split('/');
        if (parts.Contains(".."))
            return "must not contain '..'";
        if (parts[^1].Length == 0)
            return "must name a file, not a folder";
        if (parts[..^1].Any(p => p.IndexOfAny(['*', '?']) >= 0))
            return "wildcards ('*', '?') are allowed in the file name only";
        if (path.IndexOfAny(['[', ']', '{', '}', '\0']) >= 0)
            return "only '*' and '?' are wildcards; '[', ']', '{' and '}' are not allowed";
        return null;
    }
}
