using System.Text;

namespace Crossfade.Core.Artifacts;

/// <summary>
/// An archive entry's name read as a path inside the release: its segments, with <c>.</c> and empty
/// segments dropped. Anything that is not plainly a relative path of ordinary names is refused.
/// </summary>
internal static class EntryPath
{
    /// <summary>The path's segments (none for the release folder itself, <c>./</c>), or why the name is refused.</summary>
    public static (string[]? Segments, string? Problem) Parse(string name, ArchiveLimits limits)
    {
        if (name.Length == 0)
            return (null, "has an empty name");
        if (name.Length > limits.MaxPathLength)
            return (null, $"has a name of {name.Length} characters (at most {limits.MaxPathLength})");
        if (name.StartsWith('/'))
            return (null, "is an absolute path");
        if (TextProblem(name) is { } text)
            return (null, text);
        var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Length > limits.MaxDepth)
            return (null, $"is nested {segments.Length} folders deep (at most {limits.MaxDepth})");
        foreach (var segment in segments)
        {
            if (segment == "..")
                return (null, "escapes the release folder ('..' in its path)");
            if (Encoding.UTF8.GetByteCount(segment) > limits.MaxNameBytes)
                return (null, $"has a name longer than {limits.MaxNameBytes} bytes");
        }
        return (segments, null);
    }

    /// <summary>Why a name or a link target is refused for its characters, or null.</summary>
    public static string? TextProblem(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
                return $"has a control character (U+{(int)c:X4}) in its name";
            if (c == '\\')
                return "has a backslash in its name (a path separator elsewhere)";
        }
        return null;
    }

    public static string Join(IEnumerable<string> segments) => string.Join('/', segments);
}
