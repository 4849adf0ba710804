using System.Text.Json;

namespace Crossfade.Cli;

/// <summary>
/// What <c>crossfade login</c> keeps for the person: the server, the key pin it trusts there and the token,
/// in <c>$XDG_CONFIG_HOME/crossfade/config.json</c> (else <c>~/.config/crossfade/config.json</c>), readable by its owner only.
/// </summary>
public sealed record UserConfig(string Server, string Token, string? Fingerprint)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string PathOf()
    {
        var root = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(root, "crossfade", "config.json");
    }

    /// <summary>The person's login; null when there is none (or the file is not one this program wrote).</summary>
    public static UserConfig? Read()
    {
        var path = PathOf();
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonSerializer.Deserialize<UserConfig>(File.ReadAllText(path), Json) is { Server.Length: > 0, Token.Length: > 0 } config ? config : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the login, created with mode 600 before anything secret is in it.</summary>
    public void Write()
    {
        var path = PathOf();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Core.Files.PrivateFile.Write(path, JsonSerializer.Serialize(this, Json));
    }

    /// <summary>Whether <paramref name="server"/> is this login's server (a trailing slash aside).</summary>
    public bool Serves(string server) => string.Equals(Server.TrimEnd('/'), server.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
