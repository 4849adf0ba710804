using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Crossfade.Core.Builds;

/// <summary>
/// The signatures webhooks carry, checked in constant time: GitHub's <c>X-Hub-Signature-256</c>
/// (HMAC-SHA256 of the raw body, hex), a shared token (GitLab's <c>X-Gitlab-Token</c>), and the Standard
/// Webhooks scheme (<c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>: HMAC-SHA256 of
/// "id.timestamp.body" under the secret, base64, prefixed <c>v1,</c>), which Crossfade also signs its own notices with.
/// </summary>
public static class WebhookSignatures
{
    /// <summary>How far a Standard Webhooks timestamp may be from now: an older delivery is a replay.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static bool GitHub(string secret, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith("sha256=", StringComparison.Ordinal))
            return false;
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
        return SameText(expected, header.ToLowerInvariant());
    }

    public static bool Token(string secret, string? header) => header is not null && SameText(secret, header);

    /// <summary>Checks a Standard Webhooks delivery; the problem says which part failed.</summary>
    public static string? Standard(string secret, string? id, string? timestamp, string? signatures, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
            return "the Standard Webhooks headers 'webhook-id', 'webhook-timestamp' and 'webhook-signature' are required";
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return $"'webhook-timestamp' ('{timestamp}') is not Unix seconds";
        var at = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        if ((now - at).Duration() > Tolerance)
            return $"'webhook-timestamp' is {(now - at).TotalMinutes:0} minutes from the server's clock; at most {Tolerance.TotalMinutes:0} (an old delivery replayed is refused)";
        var expected = SignStandard(secret, id, seconds, body);
        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (SameText(expected, candidate))
                return null;
        }
        return "'webhook-signature' does not match the body under this app's webhook secret";
    }

    /// <summary>The <c>webhook-signature</c> value of a delivery: "v1," and the base64 HMAC-SHA256 of "id.timestamp.body".</summary>
    public static string SignStandard(string secret, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp.ToString(CultureInfo.InvariantCulture)}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret), content));
    }

    /// <summary>A Standard Webhooks secret is "whsec_" and base64; any other secret is its own bytes.</summary>
    public static byte[] Key(string secret)
    {
        if (secret.StartsWith("whsec_", StringComparison.Ordinal))
        {
            try
            {
                return Convert.FromBase64String(secret["whsec_".Length..]);
            }
            catch (FormatException)
            {
                // Not base64 after all: its bytes, as any other secret.
            }
        }
        return Encoding.UTF8.GetBytes(secret);
    }

    // Hashing both sides first makes the comparison take the same time whatever their lengths.
    private static bool SameText(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}
