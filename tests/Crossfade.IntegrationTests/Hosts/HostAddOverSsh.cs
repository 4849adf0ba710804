using System.Globalization;
using Crossfade.Agent.Hosting;
using Crossfade.Agent.Instances;
using Crossfade.Cli;
using Crossfade.Contracts.V1;
using Crossfade.Demo;

namespace Crossfade.IntegrationTests.Hosts;

/// <summary>
/// <c>crossfade host add</c> against a real sshd on loopback and a real server serving HTTPS: the host is
/// checked, given a user, folders, the server's binary (checked by hash) and a supervised agent, which
/// enrolls with a one-time token carrying the server's key, pins it, and takes a deploy of gear-shop. Run
/// again, it changes nothing. <c>host upgrade</c> then has the agent replace its own binary and restart under
/// shopper traffic, without a request failing. <c>host remove</c> stops the agent and revokes its token while
/// the proxy serves on; with <c>--stop-serving --purge</c> the proxy and instances stop and the files go; run
/// again, it changes nothing.
/// </summary>
public sealed class HostAddOverSsh
{
    private const string Host = "ssh-web-1";

    [Fact]
    public async Task HostAdd_InstallsAPinnedAgentThatTakesADeploy_AndASecondRunChangesNothing()
    {
        var binaries = Directory.CreateTempSubdirectory("cf-it-binaries-").FullName;
        var prefix = Directory.CreateTempSubdirectory("cf-it-prefix-").FullName;
        File.SetUnixFileMode(prefix, (UnixFileMode)Convert.ToInt32("755", 8));
        // The host's "binary" runs the crossfade just built: what host add does with it is the same for a single file.
        var self = SelfCommand.Get();
        Directory.CreateDirectory(Path.Combine(binaries, "linux-x64"));
        var wrapper = $"#!/bin/sh\nexec {string.Join(' ', self.Select(a => $"'{a}'"))} \"$@\"\n";
        await File.WriteAllTextAsync(Path.Combine(binaries, "linux-x64", "crossfade"), wrapper);
        await using var sshd = await Crossfade.Demo.LoopbackSshd.StartAsync();
        await using var server = await ServerProcess.StartAsync("--binaries", binaries);
        var root = Path.Combine(prefix, "var", "lib", "crossfade");
        var proxyPort = FreePorts.Next();
        string[] add =
        [
            "host", "add", Host, "--ssh", $"root@127.0.0.1:{sshd.Port}", "--identity", sshd.ClientKey, "--known-hosts", sshd.KnownHosts,
            "--roles", "web,worker,migrator", "--proxy-port", proxyPort.ToString(CultureInfo.InvariantCulture), "--user", "cf-it-agent", "--prefix", prefix,
        ];
        var env = new Dictionary<string, string> { ["CROSSFADE_SERVER"] = server.Url, ["CROSSFADE_TOKEN"] = server.AdminToken, ["CROSSFADE_FINGERPRINT"] = server.Pin };
        // host add creates the agent's system user and remove keeps it (by design): the test removes the one it made.
        var userBefore = await TestUser.ExistsAsync();
        try
        {
            var first = await CliProcess.RunAsync(add, env);

            first.Exit.ShouldBe(0, first.Out + first.Err);
            first.Out.ShouldContain("no systemd: a supervised loop");
            first.Out.ShouldContain($"binary    installed {prefix}/opt/crossfade/bin/crossfade");
            first.Out.ShouldContain($"enroll    placed a one-time enrollment token carrying the server's key {server.Pin}");
            first.Out.ShouldContain($"online    {Host} is online");
            (await File.ReadAllTextAsync(Path.Combine(root, ServerPin.FileName))).Trim().ShouldBe(server.Pin);
            File.Exists(Path.Combine(root, "enroll.token")).ShouldBeFalse("the one-time token is used up and removed");

            var second = await CliProcess.RunAsync(add, env);

            second.Exit.ShouldBe(0, second.Out + second.Err);
            second.Out.ShouldContain($"{Host}: nothing to change");
            second.Out.ShouldContain("found the agent's token: enrolled already");

            await DeployGearShopAsync(server.Admin(), prefix, proxyPort);
            await UpgradeUnderTrafficAsync(Path.Combine(binaries, "linux-x64", "crossfade"), wrapper, prefix, proxyPort, env);
            string[] remove = ["host", "remove", Host, .. add[3..9], "--user", "cf-it-agent", "--prefix", prefix];
            await RemoveAsync(server, remove, env, prefix, proxyPort);
        }
        finally
        {
            await StopAgentAsync(prefix);
            Directory.Delete(prefix, recursive: true);
            Directory.Delete(binaries, recursive: true);
            await TestUser.RemoveIfMadeAsync(userBefore);
        }
    }

    /// <summary>gear-shop 1.0.0 deployed to the new host and served by its proxy.</summary>
    private static async Task DeployGearShopAsync(ApiClient api, string prefix, int proxyPort)
    {
        // The agent runs as its own user: the shop's database lives where that user may write.
        var db = Directory.CreateDirectory(Path.Combine(prefix, "shop-db")).FullName;
        File.SetUnixFileMode(db, (UnixFileMode)Convert.ToInt32("777", 8));
        var build = await GearShopReleases.BuildAsync(TextWriter.Null, CancellationToken.None);
        // HTTPS at the host's proxy, from the spec: a certificate file on the host that its agent's user may read.
        var tlsPort = FreePorts.Next();
        var tls = Directory.CreateDirectory(Path.Combine(prefix, "tls")).FullName;
        var (cert, key) = WriteCertificate(tls, "shop.ssh.test");
        var spec = GearShopReleases.Spec(Path.Combine(db, "shop.db"), "production", [new LocalHost(Host, "web,worker,migrator", proxyPort)])
            .Replace("timeout_seconds: 30", "timeout_seconds: 15")
            .Replace("proxy:\n  port: 8080\n", $"proxy:\n  port: 8080\n  tls:\n    port: {tlsPort}\n    hsts_max_age_seconds: 600\n    certificates:\n      - hosts: [shop.ssh.test]\n        cert: {cert}\n        key: {key}\n");
        await GearShopReleases.ApplyAsync(api, spec, CancellationToken.None);
        await GearShopReleases.PushAsync(api, build, Path.Combine(prefix, "releases"), "1.0.0", "first", CancellationToken.None);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var deploy = await new DeployWatcher(api, TextWriter.Null).WatchAsync(await api.DeployAsync(Fleet.App, Fleet.Env, "1.0.0", limit.Token), limit.Token);
        deploy.State.ShouldBe(DeployState.Succeeded, deploy.Reason);
        using var shopper = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        (await shopper.GetStringAsync($"http://127.0.0.1:{proxyPort}/version")).ShouldContain("1.0.0");
        string? served = null;
        using var secure = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, tlsPort, token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => (served = c?.Subject) is not null },
        });
        using var answer = await secure.GetAsync($"https://shop.ssh.test:{tlsPort}/version");
        (await answer.Content.ReadAsStringAsync()).ShouldContain("1.0.0");
        served.ShouldBe("CN=shop.ssh.test", "the host's proxy serves the spec's certificate for the name asked");
        answer.Headers.GetValues("Strict-Transport-Security").ShouldBe(["max-age=600"]);
    }

    /// <summary>A self-signed certificate and its key as PEM files readable by the agent's user.</summary>
    private static (string Cert, string Key) WriteCertificate(string dir, string name)
    {
        var (cert, key) = (Path.Combine(dir, "shop.crt"), Path.Combine(dir, "shop.key"));
        Crossfade.Core.Links.SelfSignedPem.Write(cert, key, name, [name], [], DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.SetUnixFileMode(key, (UnixFileMode)Convert.ToInt32("644", 8));
        return (cert, key);
    }

    /// <summary>A new binary on the server, taken by the agent while shoppers use the host: none of their requests fails.</summary>
    private static async Task UpgradeUnderTrafficAsync(string serverBinary, string wrapper, string prefix, int proxyPort, Dictionary<string, string> env)
    {
        await File.WriteAllTextAsync(serverBinary, wrapper + "# the next build\n");
        var next = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(serverBinary)));
        var traffic = new Crossfade.Load.TrafficGenerator([new Uri($"http://127.0.0.1:{proxyPort}")], 8, TimeSpan.FromMinutes(3), 2_000_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);

        var upgrade = await CliProcess.RunAsync(["host", "upgrade", Host], env);

        await Task.Delay(1000);
        await stop.CancelAsync();
        await load;
        upgrade.Exit.ShouldBe(0, upgrade.Out + upgrade.Err);
        upgrade.Out.ShouldContain($"{Host,-12} upgraded to");
        var installed = Path.Combine(prefix, "opt", "crossfade", "bin", "crossfade");
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(installed))).ShouldBe(next);
        traffic.Samples.Count.ShouldBeGreaterThan(100);
        traffic.Samples.Count(s => s.Failed).ShouldBe(0);
        var again = await CliProcess.RunAsync(["host", "upgrade", Host], env);
        again.Out.ShouldContain($"{Host,-12} runs sha256 {next[..12]} already");
    }

    /// <summary>
    /// Removed in two runs: first the agent only (the shop serves on, the agent's token is refused), then the
    /// serving processes and the files; a third run finds nothing to do.
    /// </summary>
    private static async Task RemoveAsync(ServerProcess server, string[] remove, Dictionary<string, string> env, string prefix, int proxyPort)
    {
        var root = Path.Combine(prefix, "var", "lib", "crossfade");
        var agentToken = (await File.ReadAllTextAsync(Path.Combine(root, "agent.token"))).Trim();
        using var shopper = new HttpClient(new SocketsHttpHandler { UseProxy = false });

        var first = await CliProcess.RunAsync(remove, env);

        first.Exit.ShouldBe(0, first.Out + first.Err);
        first.Out.ShouldContain($"stopped and removed supervised loop {prefix}/opt/crossfade/crossfade-agent");
        first.Out.ShouldContain("left the proxy and app instances serving");
        first.Out.ShouldContain($"removed {Host} and revoked 1 token(s)");
        File.Exists(Path.Combine(prefix, "opt", "crossfade", "supervisor.pid")).ShouldBeFalse();
        (await server.Admin().HostsAsync(CancellationToken.None)).ShouldNotContain(h => h.Name == Host);
        (await shopper.GetStringAsync($"http://127.0.0.1:{proxyPort}/version")).ShouldContain("1.0.0", customMessage: "the proxy and the live instance outlive the agent");
        using (var agent = new HttpClient(new Crossfade.Core.Links.PinnedTls(server.Pin).Handler()))
        {
            using var poll = new HttpRequestMessage(HttpMethod.Post, $"{server.Url}/api/agent/v1/poll?wait=0") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            poll.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", agentToken);
            (await agent.SendAsync(poll)).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized, "the removed host's token is revoked");
        }

        var second = await CliProcess.RunAsync([.. remove, "--stop-serving", "--purge"], env);

        second.Exit.ShouldBe(0, second.Out + second.Err);
        second.Out.ShouldContain("found no agent service");
        second.Out.ShouldMatch(@"serving\s+stopped [2-9] process\(es\)");
        second.Out.ShouldContain($"{Host} is not enrolled: nothing to revoke");
        Directory.Exists(root).ShouldBeFalse();
        Directory.Exists(Path.Combine(prefix, "opt", "crossfade")).ShouldBeFalse();
        await Should.ThrowAsync<HttpRequestException>(() => shopper.GetStringAsync($"http://127.0.0.1:{proxyPort}/version"));

        var third = await CliProcess.RunAsync([.. remove, "--stop-serving", "--purge"], env);

        third.Exit.ShouldBe(0, third.Out + third.Err);
        third.Out.ShouldContain($"{Host}: nothing to change");
    }

    /// <summary>Stops the supervised loop and the agent (by the loop's pid), then the proxy and instances the agent started.</summary>
    private static async Task StopAgentAsync(string prefix)
    {
        var root = Path.Combine(prefix, "var", "lib", "crossfade");
        var pidFile = Path.Combine(prefix, "opt", "crossfade", "supervisor.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            using var kill = System.Diagnostics.Process.Start("kill", ["--", $"-{pid}"]);
            await kill.WaitForExitAsync();
        }
        await AgentHost.StopEverythingAsync(root);
    }
}
