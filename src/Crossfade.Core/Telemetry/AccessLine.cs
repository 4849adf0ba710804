using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Crossfade.Core.Telemetry;

/// <summary>One request as an access log recorded it.</summary>
public sealed record AccessLine(DateTimeOffset At, string Method, string Path, int Status, double Ms, long Bytes, string? Release);

/// <summary>
/// Reads access log lines: the host proxy's JSON records, and the common and combined formats of
/// nginx and Apache (with an optional request time at the end). Anything else is not an access record.
/// </summary>
public static partial class AccessLineParser
{
    public static AccessLine? Parse(string line)
    {
        line = line.Trim();
        if (line.StartsWith('{'))
            return FromJson(line);
        var m = CommonFormat().Match(line);
        if (!m.Success || !DateTimeOffset.TryParseExact(m.Groups["time"].Value, "dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            return null;
        var ms = m.Groups["rt"].Success && double.TryParse(m.Groups["rt"].Value, CultureInfo.InvariantCulture, out var seconds) ? seconds * 1000 : 0;
        return new AccessLine(at, m.Groups["method"].Value, m.Groups["path"].Value, int.Parse(m.Groups["status"].Value, CultureInfo.InvariantCulture), ms,
            long.TryParse(m.Groups["bytes"].Value, CultureInfo.InvariantCulture, out var b) ? b : 0, null);
    }

    private static AccessLine? FromJson(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object
                || !r.TryGetProperty("ts", out var ts) || !ts.TryGetDateTimeOffset(out var at)
                || !r.TryGetProperty("status", out var status) || !status.TryGetInt32(out var code)
                || !r.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String)
                return null;
            return new AccessLine(at, Text(r, "method") ?? "GET", path.GetString()!, code,
                r.TryGetProperty("ms", out var ms) && ms.TryGetDouble(out var d) ? d : 0,
                r.TryGetProperty("bytes", out var bytes) && bytes.TryGetInt64(out var n) ? n : 0, Text(r, "release"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    // 127.0.0.1 - - [22/Nov/2026:04:01:02 +0000] "GET /listings HTTP/1.1" 200 512 "-" "curl/8" 0.004
    [GeneratedRegex("""^\S+ \S+ \S+ \[(?<time>[^\]]+)\] "(?<method>[A-Z]+) (?<path>\S+)[^"]*" (?<status>\d{3}) (?<bytes>\d+|-)(?: "[^"]*" "[^"]*")?(?: (?<rt>\d+(?:\.\d+)?))?""")]
    private static partial Regex CommonFormat();
}
