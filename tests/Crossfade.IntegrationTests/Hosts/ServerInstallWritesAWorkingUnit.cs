using System.Diagnostics;
using Crossfade.Agent.Instances;

namespace Crossfade.IntegrationTests.Hosts;

/// <summary>
/// <c>crossfade server install</c> on this machine (no systemd here, so the unit goes into a test folder and
/// is not started): it creates the server's system user and data folder, writes the unit, and the unit's own
/// command line, run as its own user, starts a server that serves HTTPS with a key it made in that folder.
/// Run again, it changes nothing.
/// </summary>
public sealed class ServerInstallWritesAWorkingUnit
{
    private const string User = "cf-it-server";

    [Fact]
    public async Task Install_WritesUserFolderAndUnit_WhoseCommandStartsTheServer_AndAgainChangesNothing()
    {
        var folder = Directory.CreateTempSubdirectory("cf-it-install-").FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("755", 8));
        var (data, units) = (Path.Combine(folder, "data"), Path.Combine(folder, "units"));
        var port = FreePorts.Next();
        string[] install = ["server", "install", "--data", data, "--urls", $"https://127.0.0.1:{port}", "--unit-dir", units, "--user", User];
        Process? server = null;
        try
        {
            var first = await CliProcess.RunAsync(install, new Dictionary<string, string>());

            first.Exit.ShouldBe(0, first.Out + first.Err);
            first.Out.ShouldMatch($"user +(created system user|found) {User}");
            first.Out.ShouldContain($"data      made {data}");
            first.Out.ShouldContain($"unit      wrote {units}/crossfade-server.service");
            var unit = await File.ReadAllLinesAsync(Path.Combine(units, "crossfade-server.service"));
            unit.ShouldContain($"User={User}");
            unit.ShouldContain("Restart=always");
            var exec = unit.Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..].Split(' ');
            exec.ShouldContain(data);

            server = Process.Start(new ProcessStartInfo("runuser", ["-u", User, "--", .. exec]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            server.BeginErrorReadLine();
            server.BeginOutputReadLine();
            using var insecure = new HttpClient(new SocketsHttpHandler { UseProxy = false, SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
            var healthy = false;
            for (var deadline = DateTime.UtcNow.AddSeconds(60); !healthy && DateTime.UtcNow < deadline && !server.HasExited;)
            {
                try
                {
                    healthy = (await insecure.GetAsync($"https://127.0.0.1:{port}/healthz")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }
            healthy.ShouldBeTrue("the unit's command starts a server that serves HTTPS");
            File.Exists(Path.Combine(data, "admin.token")).ShouldBeTrue();
            OwnerOf(data).ShouldBe(User);
            OwnerOf(Path.Combine(data, "admin.token")).ShouldBe(User, "the server ran as its own user");

            var second = await CliProcess.RunAsync(install, new Dictionary<string, string>());

            second.Exit.ShouldBe(0, second.Out + second.Err);
            second.Out.ShouldContain("nothing to change");
            var refused = await CliProcess.RunAsync(["server", "install", "--urls", $"http://0.0.0.0:{port}", "--unit-dir", units], new Dictionary<string, string>());
            refused.Exit.ShouldBe(2);
            refused.Err.ShouldContain("plain http beyond this machine");
            var taken = await CliProcess.RunAsync(["server", "install", "--data", folder, "--urls", $"https://127.0.0.1:{port}", "--unit-dir", units, "--user", User], new Dictionary<string, string>());
            taken.Exit.ShouldBe(2);
            taken.Err.ShouldContain($"{folder} holds files and belongs to root, not {User}");
        }
        finally
        {
            if (server is { HasExited: false })
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
            server?.Dispose();
            Directory.Delete(folder, recursive: true);
            using var userdel = Process.Start("userdel", [User]);
            await userdel.WaitForExitAsync();
        }
    }

    private static string OwnerOf(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%U", path]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return owner;
    }

    [Theory]
    [InlineData("https://0.0.0.0:7400", "https://127.0.0.1:7400/healthz")]
    [InlineData("https://*:7400;http://127.0.0.1:7401", "https://127.0.0.1:7400/healthz")]
    [InlineData("https://[::]:7400/", "https://[::1]:7400/healthz")]
    [InlineData("https://ci.example.com:7400", "https://ci.example.com:7400/healthz")]
    public void TheStartedServerIsAskedOnThisMachine_AWildcardAddressOnLoopback(string urls, string asked) =>
        Crossfade.Install.ServerInstaller.LocalHealthUrl(urls).ToString().ShouldBe(asked);
}
