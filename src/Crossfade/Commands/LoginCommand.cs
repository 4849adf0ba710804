using System.CommandLine;
using Crossfade.Cli;
using Crossfade.Core.Links;

namespace Crossfade.Commands;

/// <summary>
/// <c>crossfade login SERVER</c>: checks the token against the server, pinning the server's key (carried by
/// the token, or given with <c>--fingerprint</c>), and keeps the three in the person's config file (mode 600),
/// so every later command goes to that server, with that token, trusting only that key.
/// </summary>
public static class LoginCommand
{
    public static Command Create()
    {
        var server = new Argument<string>("server") { Description = "the server's address, e.g. https://deploy.example.com:7400" };
        var fingerprint = new Option<string?>("--fingerprint") { Description = "the server's key pin (sha256:…, printed by the server at start) when the token does not carry it" };
        var command = new Command("login", "log in to a server: pin its key and keep the token in ~/.config/crossfade/config.json (mode 600)") { server, fingerprint };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var address = parse.GetValue(server)!.TrimEnd('/');
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
                throw new ArgumentException($"'{address}' is not a server address: https://host:port");
            var token = parse.GetValue(Globals.Token) ?? Environment.GetEnvironmentVariable("CROSSFADE_TOKEN") ?? await ReadTokenAsync(ct);
            var given = parse.GetValue(fingerprint);
            var pin = KeyPin.Parse(given);
            if (given is not null && pin is null)
                throw new ArgumentException($"--fingerprint '{given}' is not a key pin: sha256: and 64 hex digits, as the server prints it at start");
            var carried = JoinToken.Split(token).Pin;
            if (pin is not null && carried is not null && pin != carried)
                throw new ArgumentException($"the token carries the key {carried}, but --fingerprint says {pin}: ask for a token made by the server you mean");
            pin ??= carried;
            if (uri.Scheme == "http" && !uri.IsLoopback)
                await Console.Error.WriteLineAsync($"warning: {address} is plain http: the token travels in clear text");
            var me = await new ApiClient(address, token, pin: pin).WhoAmIAsync(ct);
            var config = new UserConfig(address, token, uri.Scheme == "https" ? pin : null);
            config.Write();
            Console.WriteLine($"logged in to {address} as {me.Name} ({me.Role}); server {me.ServerVersion}");
            Console.WriteLine(config.Fingerprint is { } kept
                ? $"its key {kept} is pinned: a server presenting any other is refused"
                : uri.Scheme == "https" ? "its certificate is trusted by this system's authorities (no key pinned)" : "nothing is pinned (plain http)");
            Console.WriteLine($"kept in {UserConfig.PathOf()} (readable by you only)");
            return 0;
        }));
        return command;
    }

    /// <summary>The token from standard input: pasted at a prompt, or piped (so it never shows in the shell's history).</summary>
    private static async Task<string> ReadTokenAsync(CancellationToken ct)
    {
        if (!Console.IsInputRedirected)
            await Console.Error.WriteAsync("token: ");
        var line = await Console.In.ReadLineAsync(ct);
        return string.IsNullOrWhiteSpace(line)
            ? throw new ArgumentException("no token: pass --token, set CROSSFADE_TOKEN, or type it at the prompt (make one with 'crossfade token create')")
            : line.Trim();
    }
}
