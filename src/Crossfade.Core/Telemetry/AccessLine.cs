using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Crossfade.Core.Telemetry;

/// <summary>One request as an access log recorded it; <paramref name="Bot"/> when a robot sent it (<see cref="DeclaredBots"/>).</summary>
public sealed record AccessLine(DateTimeOffset At, string Method, string Path, int Status, double Ms, long Bytes, string? Release, bool Bot = false);

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
            long.TryParse(m.Groups["bytes"].Value, CultureInfo.InvariantCulture, out var b) ? b : 0, null, m.Groups["agent"].Success && DeclaredBots.Is(m.Groups["agent"].Value));
    }

    /// <summary>
    /// The proxy's JSON record, read token by token (no document is built: this runs once per request
    /// the fleet served). Unknown fields are skipped; a record without a time, status or path is not one.
    /// </summary>
    private static AccessLine? FromJson(string line)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(line.Length));
        try
        {
            var reader = new Utf8JsonReader(rented.AsSpan(0, Encoding.UTF8.GetBytes(line, rented)));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            DateTimeOffset? at = null;
            int? status = null;
            string? path = null, method = null, release = null;
            double ms = 0;
            long bytes = 0;
            var bot = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }
                if (name.SequenceEqual("ts"u8))
                    at = reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var t) ? t : null;
                else if (name.SequenceEqual("status"u8))
                    status = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var c) ? c : null;
                else if (name.SequenceEqual("path"u8))
                    path = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                else if (name.SequenceEqual("method"u8))
                    method = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                else if (name.SequenceEqual("release"u8))
                    release = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                else if (name.SequenceEqual("ms"u8))
                    ms = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d) ? d : 0;
                else if (name.SequenceEqual("bot"u8))
                    bot = reader.TokenType == JsonTokenType.True;
                else if (name.SequenceEqual("bytes"u8))
                    bytes = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) ? n : 0;
                else
                    reader.Skip();
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || at is null || status is null || path is null)
                return null;
            return new AccessLine(at.Value, method ?? "GET", path, status.Value, ms, bytes, release, bot);
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // 127.0.0.1 - - [22/Nov/2026:04:01:02 +0000] "GET /listings HTTP/1.1" 200 512 "-" "curl/8" 0.004
    [GeneratedRegex("""^\S+ \S+ \S+ \[(?<time>[^\]]+)\] "(?<method>[A-Z]+) (?<path>\S+)[^"]*" (?<status>\d{3}) (?<bytes>\d+|-)(?: "[^"]*" "(?<agent>[^"]*)")?(?: (?<rt>\d+(?:\.\d+)?))?""")]
    private static partial Regex CommonFormat();
}
