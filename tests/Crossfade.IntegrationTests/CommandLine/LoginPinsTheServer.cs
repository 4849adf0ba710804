using System.Diagnostics;
using System.Text.RegularExpressions;
using Crossfade.Agent.Instances;

namespace Crossfade.IntegrationTests.CommandLine;

/// <summary>
/// A real <c>crossfade server</c> serving HTTPS with the certificate it made, and the real CLI logging in to
/// it: trusting only the key the token (or <c>--fingerprint</c>) names, keeping the login in a file of mode
/// 600, and every later command going to that server with that token and pin.
/// </summary>
public sealed partial class LoginPinsTheServer : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cf-login-server-").FullName;
    private readonly string _home = Directory.CreateTempSubdirectory("cf-login-home-").FullName;
    private readonly int _port = FreePorts.Next();
    private Process _server = null!;
    private string _pin = "";

    private string Url => $"https://127.0.0.1:{_port}";

    public async Task InitializeAsync()
    {
        var self = Crossfade.Cli.SelfCommand.Get();
        var info = new ProcessStartInfo(self[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in self.Skip(1).Concat(["server", "--data", _data, "--urls", Url]))
            info.ArgumentList.Add(a);
        _server = Process.Start(info)!;
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await _server.StandardOutput.ReadLineAsync(limit.Token) is { } line)
        {
            if (PinLine().Match(line) is { Success: true } found)
            {
                _pin = found.Groups[1].Value;
                break;
            }
        }
        _pin.ShouldNotBeEmpty("the server says its key at start");
        // Keep reading, so a full pipe never holds the server up.
        _ = _server.StandardOutput.ReadToEndAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _server.Kill(entireProcessTree: true);
        await _server.WaitForExitAsync();
        _server.Dispose();
        Directory.Delete(_data, recursive: true);
        Directory.Delete(_home, recursive: true);
    }

    private string AdminToken => File.ReadAllText(Path.Combine(_data, "admin.token")).Trim();

    private string ConfigFile => Path.Combine(_home, "crossfade", "config.json");

    /// <summary>Runs the CLI as a person would: no server or token in the environment, the login in its config home.</summary>
    private async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, string? input = null)
    {
        var self = Crossfade.Cli.SelfCommand.Get();
        var info = new ProcessStartInfo(self[0]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in self.Skip(1).Concat(args))
            info.ArgumentList.Add(a);
        foreach (var name in new[] { "CROSSFADE_SERVER", "CROSSFADE_TOKEN", "CROSSFADE_FINGERPRINT" })
            info.Environment.Remove(name);
        info.Environment["XDG_CONFIG_HOME"] = _home;
        info.WorkingDirectory = _home;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
            await process.StandardInput.WriteLineAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Login_TrustsOnlyTheKeyItWasGiven_AndEveryLaterCommandUsesIt()
    {
        // No pin and a certificate nobody vouches for: refused, saying which key it saw.
        var blind = await RunAsync(["login", Url, "--token", AdminToken]);
        blind.Exit.ShouldNotBe(0);
        blind.Err.ShouldContain("no authority this system trusts vouches for");
        blind.Err.ShouldContain(_pin);
        File.Exists(ConfigFile).ShouldBeFalse();

        var wrong = await RunAsync(["login", Url, "--token", AdminToken, "--fingerprint", "sha256:" + new string('e', 64)]);
        wrong.Exit.ShouldNotBe(0);
        wrong.Err.ShouldContain($"presented a certificate over the key {_pin}");
        File.Exists(ConfigFile).ShouldBeFalse();

        var admin = await RunAsync(["login", Url, "--token", AdminToken, "--fingerprint", _pin]);
        admin.Exit.ShouldBe(0, admin.Err);
        admin.Out.ShouldContain("as admin (admin)");
        File.GetUnixFileMode(ConfigFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        (await File.ReadAllTextAsync(ConfigFile)).ShouldContain(_pin);

        // Later commands go to the login's server with its token and pin: a token made now carries the pin.
        var made = await RunAsync(["token", "create", "--role", "viewer", "--name", "ana"]);
        made.Exit.ShouldBe(0, made.Err);
        var token = made.Out.Trim();
        token.ShouldEndWith("." + _pin["sha256:".Length..]);

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

    [GeneratedRegex(@"^TLS key (sha256:[0-9a-f]{64}) ")]
    private static partial Regex PinLine();
}
