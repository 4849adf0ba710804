using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Crossfade.Agent.Hosting;
using Crossfade.Agent.Instances;
using Crossfade.Demo;

namespace Crossfade.Bench;

/// <summary>
/// <c>./bench/run bootstrap [hosts]</c>: a server and a real sshd on loopback; <c>crossfade host add</c> run for
/// each host (each in a folder of its own, so several "hosts" share this machine): check, user, folders, the
/// single-file binary of <c>./build.sh</c> copied over SSH and checked, enrollment, a supervised agent, online.
/// Then every host added again, which must change nothing.
/// </summary>
public static partial class Bootstrap
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) ? n : 3;
        var repo = RepoPaths.Root() ?? throw new InvalidOperationException("run from the repository");
        var dist = Path.Combine(repo, "artifacts", "dist");
        if (!File.Exists(Path.Combine(dist, "linux-x64", "crossfade")))
            throw new InvalidOperationException("no artifacts/dist/linux-x64/crossfade: ./bench/run bootstrap builds it with ./build.sh linux-x64 first");
        var dir = Path.Combine(Path.GetTempPath(), "cf-bench-bootstrap");
        await using var fleet = await LocalFleet.StartAsync(dir, [], CancellationToken.None, "cli", ["--binaries", dist]);
        await using var sshd = await LoopbackSshd.StartAsync();
        var hosts = Enumerable.Range(1, count).Select(i => (Name: $"boot-{i}", Prefix: Path.Combine(dir, $"host-{i}"), Port: FreePorts.Next())).ToList();
        foreach (var host in hosts)
        {
            Directory.CreateDirectory(host.Prefix);
            File.SetUnixFileMode(host.Prefix, (UnixFileMode)Convert.ToInt32("755", 8));
        }
        try
        {
            var started = Stopwatch.StartNew();
            foreach (var host in hosts)
            {
                var one = Stopwatch.StartNew();
                var output = await AddAsync(fleet, sshd, host);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{host.Name}: added in {one.Elapsed.TotalSeconds:0.0} s, {Changes(output)} change(s)"));
            }
            var first = started.Elapsed.TotalSeconds;
            var again = 0;
            var second = Stopwatch.StartNew();
            foreach (var host in hosts)
                again += Changes(await AddAsync(fleet, sshd, host));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"second run: {second.Elapsed.TotalSeconds:0.0} s for {count} hosts, {again} change(s)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bootstrap: hosts={count} seconds={first:0.0} second_run_changed={again}"));
            return 0;
        }
        finally
        {
            foreach (var host in hosts)
                await StopAsync(host.Prefix);
        }
    }

    private static async Task<string> AddAsync(LocalFleet fleet, LoopbackSshd sshd, (string Name, string Prefix, int Port) host)
    {
        var self = Cli.SelfCommand.Get();
        var info = new ProcessStartInfo(self[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in self.Skip(1).Concat([
                     "host", "add", host.Name, "--ssh", $"root@127.0.0.1:{sshd.Port}", "--identity", sshd.ClientKey, "--known-hosts", sshd.KnownHosts,
                     "--roles", "web", "--proxy-port", host.Port.ToString(CultureInfo.InvariantCulture), "--user", "cf-bench-agent", "--prefix", host.Prefix,
                     "--server", fleet.ServerUrl, "--token", fleet.AdminToken,
                 ]))
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(limit.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"host add {host.Name} failed: {await output}{await error}");
        return await output;
    }

    private static int Changes(string output) =>
        ChangeCount().Match(output) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;

    private static async Task StopAsync(string prefix)
    {
        var root = Path.Combine(prefix, "var", "lib", "crossfade");
        var pidFile = Path.Combine(prefix, "opt", "crossfade", "supervisor.pid");
        if (File.Exists(pidFile) && int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), out var pid))
        {
            using var kill = Process.Start("kill", ["--", $"-{pid}"]);
            await kill.WaitForExitAsync();
        }
        await AgentHost.StopEverythingAsync(root);
    }

    [GeneratedRegex(@": (\d+) change\(s\) made")]
    private static partial Regex ChangeCount();
}
