namespace Crossfade.Core.Links;

/// <summary>
/// A token as the server hands it out: the secret, and after a dot the hex of the server's key pin, so
/// whoever uses it (an agent enrolling, a person logging in) knows which server to trust before it sends
/// the secret anywhere. Only the secret is ever sent; a token without the part is a bare secret.
/// </summary>
public static class JoinToken
{
    public static string Join(string secret, string? pin) =>
        KeyPin.Parse(pin) is { } parsed ? $"{secret}.{parsed[KeyPin.Prefix.Length..]}" : secret;

    public static (string Secret, string? Pin) Split(string token)
    {
        var trimmed = token.Trim();
        var dot = trimmed.LastIndexOf('.');
        if (dot < 0)
            return (trimmed, null);
        var pin = KeyPin.Parse(trimmed[(dot + 1)..]);
        return pin is null ? (trimmed, null) : (trimmed[..dot], pin);
    }
}
