using System.Text.Json;
using System.Text.RegularExpressions;

namespace Crossfade.Core.Telemetry;

/// <summary>Finds a log line's level: a JSON line's level field, or the first level word of a text line.</summary>
public static partial class LogLevels
{
    public const string Error = "error";
    public const string Warning = "warning";
    public const string Info = "info";
    public const string Debug = "debug";

    public static string? Of(string line)
    {
        var trimmed = line.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(trimmed);
                foreach (var name in new[] { "level", "severity", "Level", "LogLevel", "lvl" })
                    if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String)
                        return Normalize(v.GetString()!);
            }
            catch (JsonException)
            {
                // Not JSON after all: read it as text.
            }
        }
        var m = LevelWord().Match(line);
        return m.Success ? Normalize(m.Value) : null;
    }

    private static string? Normalize(string word) => word.ToLowerInvariant() switch
    {
        "error" or "err" or "fail" or "fatal" or "crit" or "critical" or "panic" => Error,
        "warn" or "warning" => Warning,
        "info" or "information" => Info,
        "debug" or "dbug" or "trace" or "trce" => Debug,
        _ => null,
    };

    [GeneratedRegex(@"\b(ERROR|ERR|FATAL|CRIT|CRITICAL|PANIC|fail|crit|WARN|WARNING|warn|INFO|info|DEBUG|dbug|TRACE|trce|Error|Warning|Information|Debug)\b")]
    private static partial Regex LevelWord();
}
