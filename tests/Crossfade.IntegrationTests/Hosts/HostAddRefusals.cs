using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Crossfade.Agent.Instances;
using Crossfade.Hosts;

namespace Crossfade.IntegrationTests.Hosts;

/// <summary>What <c>host add</c> refuses, and says why: addresses ssh would misread, a proxy port another program holds, a platform the server has no binary for, a host it cannot reach.</summary>
public sealed class HostAddRefusals
{
    [Theory]
    [InlineData("root@10.0.0.5", "root", "10.0.0.5", 22)]
    [InlineData("deploy@web-1.example.com:2222", "deploy", "web-1.example.com", 2222)]
    [InlineData("root@[2001:db8::5]:2200", "root", "2001:db8::5", 2200)]
    [InlineData("root@[::1]", "root", "::1", 22)]
    public void AnSshAddress_IsReadWithItsPort(string text, string user, string address, int port) =>
        SshTarget.Parse(text).ShouldBe(new SshTarget(user, address, port));

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("root@")]
    [InlineData("root@host:ssh")]
    [InlineData("root@host:70000")]
    [InlineData("-oProxyCommand=touch /tmp/x@host")]
    [InlineData("root@-oProxyCommand=x")]
    [InlineData("root@host;reboot")]
    [InlineData("root@host $(reboot)")]
    public void AnythingElse_IsRefusedBeforeSshSeesIt(string text) =>
        Should.Throw<ArgumentException>(() => SshTarget.Parse(text)).Message.ShouldContain("--ssh");

    [Fact]
    public async Task APortAnotherProgramHolds_OrAPlatformWithoutABinary_OrAHostNotReachable_StopsWithTheReason()
    {
        var prefix = Directory.CreateTempSubdirectory("cf-it-prefix-").FullName;
        var userBefore = await TestUser.ExistsAsync();
        try
        {
            await using var sshd = await Crossfade.Demo.LoopbackSshd.StartAsync();
            await using var server = await ServerProcess.StartAsync();
            var env = new Dictionary<string, string> { ["CROSSFADE_SERVER"] = server.Url, ["CROSSFADE_TOKEN"] = server.AdminToken, ["CROSSFADE_FINGERPRINT"] = server.Pin };
            string[] Add(int sshPort, int proxyPort) =>
            [
                "host", "add", "ssh-web-2", "--ssh", $"root@127.0.0.1:{sshPort}", "--identity", sshd.ClientKey, "--known-hosts", sshd.KnownHosts,
                "--proxy-port", proxyPort.ToString(CultureInfo.InvariantCulture), "--user", "cf-it-agent", "--prefix", prefix,
            ];
            using var squatter = new TcpListener(IPAddress.Loopback, 0);
            squatter.Start();
            var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;

            var busy = await CliProcess.RunAsync(Add(sshd.Port, taken), env);
            var noBinary = await CliProcess.RunAsync(Add(sshd.Port, FreePorts.Next()), env);
            var unreachable = await CliProcess.RunAsync(Add(FreePorts.Next(), FreePorts.Next()), env);

            (busy.Exit, noBinary.Exit, unreachable.Exit).ShouldBe((1, 1, 1));
            busy.Err.ShouldContain($"port {taken} is taken on root@127.0.0.1:{sshd.Port} by another program");
            noBinary.Err.ShouldContain("the server has no crossfade binary for linux-x64: run ./build.sh linux-x64");
            unreachable.Err.ShouldContain("ssh could not reach");
            Directory.Exists(Path.Combine(prefix, "opt", "crossfade", "crossfade")).ShouldBeFalse();
        }
        finally
        {
            Directory.Delete(prefix, recursive: true);
            await TestUser.RemoveIfMadeAsync(userBefore);
        }
    }
}
