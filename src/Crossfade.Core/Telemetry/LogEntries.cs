namespace Crossfade.Core.Telemetry;

/// <summary>
/// Joins the lines of one log entry: a stack trace's frames (indented lines, "at ...", "Caused by:",
/// "--- End of ...") belong to the line before them, so an exception is stored and counted once.
/// </summary>
public static class LogEntries
{
    public static bool Continues(string line) =>
        line.Length > 0 && (char.IsWhiteSpace(line[0])
            || line.StartsWith("at ", StringComparison.Ordinal)
            || line.StartsWith("Caused by:", StringComparison.Ordinal)
            || line.StartsWith("--- End of", StringComparison.Ordinal));

    /// <summary>Groups lines (in file order) into entries; a continuation with nothing before it starts an entry of its own.</summary>
    public static List<List<T>> Group<T>(IEnumerable<T> lines, Func<T, string> text)
    {
        var entries = new List<List<T>>();
        foreach (var line in lines)
        {
            if (entries.Count > 0 && Continues(text(line)))
                entries[^1].Add(line);
            else
                entries.Add([line]);
        }
        return entries;
    }
}
