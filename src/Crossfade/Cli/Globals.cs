using System.CommandLine;

namespace Crossfade.Cli;

/// <summary>Options every client command takes: where the server is, which token, JSON output.</summary>
public static class Globals
{
    public static readonly Option<string> Server = new("--server")
    {
        Description = "server URL (default: $CROSSFADE_SERVER, the server of 'crossfade login', or http://127.0.0.1:7400)",
        Recursive = true,
    };

    public static readonly Option<string> Token = new("--token")
    {
        Description = "API token (default: $CROSSFADE_TOKEN, the token of 'crossfade login' for its server, or ./.crossfade/admin.token when present)",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "print JSON instead of text" };

    public static ApiClient Client(ParseResult parse)
    {
        var login = UserConfig.Read();
        var server = parse.GetValue(Server) ?? Environment.GetEnvironmentVariable("CROSSFADE_SERVER") ?? login?.Server ?? "http://127.0.0.1:7400";
        // The login's token and pin go only to the login's server.
        var own = login is not null && login.Serves(server) ? login : null;
        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("CROSSFADE_TOKEN") ?? own?.Token;
        if (token is null && File.Exists(Path.Combine(".crossfade", "admin.token")))
            token = File.ReadAllText(Path.Combine(".crossfade", "admin.token")).Trim();
        return new ApiClient(server, token, pin: Environment.GetEnvironmentVariable("CROSSFADE_FINGERPRINT") ?? own?.Fingerprint);
    }

    /// <summary>Runs a client action, turning an API refusal into a message on stderr and exit code 1.</summary>
    public static async Task<int> Guard(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (ApiError ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return ex.Status == 0 ? 3 : 1;
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
    }
}
