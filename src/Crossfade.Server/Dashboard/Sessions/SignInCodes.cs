using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Crossfade.Server.Dashboard.Sessions;

/// <summary>
/// One-time sign-in codes for a link (the demo prints one): a code stands for the token that asked for
/// it, works once, and expires after <see cref="Lifetime"/>. The link carries the code, never a token.
/// Kept in this server process: a code is short-lived, and one lost to a restart is asked for again.
/// </summary>
public sealed class SignInCodes(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    public const int MaxPerToken = 10;
    private const int MaxOutstanding = 10_000;
    private readonly ConcurrentDictionary<string, (string TokenHash, DateTimeOffset Expires)> _codes = new(StringComparer.Ordinal);

    /// <summary>A new code for the token, or null when it has <see cref="MaxPerToken"/> outstanding already (or the server <see cref="MaxOutstanding"/>).</summary>
    public (string Code, DateTimeOffset Expires)? Create(string tokenHash)
    {
        var now = time.GetUtcNow();
        foreach (var (code, entry) in _codes)
            if (entry.Expires <= now)
                _codes.TryRemove(code, out _);
        if (_codes.Count >= MaxOutstanding || _codes.Values.Count(e => e.TokenHash == tokenHash) >= MaxPerToken)
            return null;
        var created = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var expires = now + Lifetime;
        _codes[created] = (tokenHash, expires);
        return (created, expires);
    }

    /// <summary>The token hash a code stands for while it is valid, without using it (the page that asks "sign in as …?").</summary>
    public string? Peek(string code) =>
        _codes.TryGetValue(code, out var entry) && entry.Expires > time.GetUtcNow() ? entry.TokenHash : null;

    /// <summary>The token hash the code stands for, once: the code is gone afterwards, used or expired.</summary>
    public string? Redeem(string code) =>
        _codes.TryRemove(code, out var entry) && entry.Expires > time.GetUtcNow() ? entry.TokenHash : null;
}
