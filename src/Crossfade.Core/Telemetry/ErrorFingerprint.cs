using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Crossfade.Core.Telemetry;

/// <summary>
/// Groups errors that are the same error: the message with its variable parts (numbers, ids, quoted
/// values, hex, timestamps) folded, plus the top stack frame when there is one.
/// </summary>
public static partial class ErrorFingerprint
{
    public sealed record Result(string Fingerprint, string Message, string? TopFrame);

    public static Result Of(string entry)
    {
        var lines = entry.Split('\n');
        var message = Normalize(lines[0]);
        var frame = lines.Skip(1).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal) || l.StartsWith("File \"", StringComparison.Ordinal));
        var topFrame = frame is null ? null : Normalize(frame);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(message + "\n" + topFrame));
        return new Result(Convert.ToHexStringLower(hash)[..16], message.Length > 300 ? message[..300] : message, topFrame);
    }

    private static string Normalize(string line)
    {
        var text = Quoted().Replace(line.Trim(), "\"…\"");
        text = Guid().Replace(text, "<id>");
        text = Hex().Replace(text, "<hex>");
        text = Number().Replace(text, "<n>");
        return Spaces().Replace(text, " ");
    }

    [GeneratedRegex("\"[^\"]*\"|'[^']*'")]
    private static partial Regex Quoted();

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guid();

    // Hex is what holds a letter (or says 0x): a run of digits alone is a number whatever its length, so
    // "order 1234567" and "order 12345678" are the same error.
    [GeneratedRegex(@"\b(?:0x[0-9a-fA-F]+|(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,})\b")]
    private static partial Regex Hex();

    [GeneratedRegex(@"\b\d+(\.\d+)*\b")]
    private static partial Regex Number();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
