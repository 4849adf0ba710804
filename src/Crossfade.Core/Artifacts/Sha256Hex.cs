using System.Security.Cryptography;

namespace Crossfade.Core.Artifacts;

/// <summary>The lowercase hex SHA-256 that names every artifact.</summary>
public static class Sha256Hex
{
    public static async Task<string> OfFileAsync(string path, CancellationToken ct = default)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    public static bool IsValid(string value) =>
        value.Length == 64 && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
