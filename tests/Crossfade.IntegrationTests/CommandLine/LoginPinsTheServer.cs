using Crossfade.IntegrationTests.Hosts;

namespace Crossfade.IntegrationTests.CommandLine;

/// <summary>
/// A real <c>crossfade server</c> serving HTTPS with the certificate it made, and the real CLI logging in to
/// it: trusting only the key the token (or <c>--fingerprint</c>) names, keeping the login in a file of mode
/// 600, and every later command going to that server with that token and pin.
/// </summary>
public sealed class LoginPinsTheServer : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("cf-login-home-").FullName;
    private ServerProcess _server = null!;

    private string Url => _server.Url;
    private string Pin => _server.Pin;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private string AdminToken => _server.AdminToken;

    private string ConfigFile => Path.Combine(_home, "crossfade", "config.json");

    /// <summary>Runs the CLI as a person would: no server or token in the environment, the login in its config home.</summary>
    private Task<(int Exit, string Out, string Err)> RunAsync(string[] args, string? input = null) =>
        CliProcess.RunAsync(args, new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = _home }, input, _home);

    [Fact]
    public async Task Login_TrustsOnlyTheKeyItWasGiven_AndEveryLaterCommandUsesIt()
    {
        // No pin and a certificate nobody vouches for: refused, saying which key it saw.
        var blind = await RunAsync(["login", Url, "--token", AdminToken]);
        blind.Exit.ShouldNotBe(0);
        blind.Err.ShouldContain("no authority this system trusts vouches for");
        blind.Err.ShouldContain(Pin);
        File.Exists(ConfigFile).ShouldBeFalse();

        var wrong = await RunAsync(["login", Url, "--token", AdminToken, "--fingerprint", "sha256:" + new string('e', 64)]);
        wrong.Exit.ShouldNotBe(0);
        wrong.Err.ShouldContain($"presented a certificate over the key {Pin}");
        File.Exists(ConfigFile).ShouldBeFalse();

        var admin = await RunAsync(["login", Url, "--token", AdminToken, "--fingerprint", Pin]);
        admin.Exit.ShouldBe(0, admin.Err);
        admin.Out.ShouldContain("as admin (admin)");
        File.GetUnixFileMode(ConfigFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        (await File.ReadAllTextAsync(ConfigFile)).ShouldContain(Pin);

        // Later commands go to the login's server with its token and pin: a token made now carries the pin.
        var made = await RunAsync(["token", "create", "--role", "viewer", "--name", "ana"]);
        made.Exit.ShouldBe(0, made.Err);
        var token = made.Out.Trim();
        token.ShouldEndWith("." + Pin["sha256:".Length..]);

        // Ana logs in with the token alone, pasted at the prompt: it carries the key to trust.
        var ana = await RunAsync(["login", Url], input: token);
        ana.Exit.ShouldBe(0, ana.Err);
        ana.Out.ShouldContain("as ana (viewer)");
        var version = await RunAsync(["version"]);
        version.Out.ShouldContain($"server 0.9.0");
        version.Out.ShouldContain(Url);
        var hosts = await RunAsync(["hosts"]);
        hosts.Exit.ShouldBe(0, hosts.Err);
        var refused = await RunAsync(["token", "create", "--role", "admin"]);
        refused.Exit.ShouldBe(1);
        refused.Err.ShouldContain("403");
    }
}
