using System.Diagnostics;
using Crossfade.Agent.Instances;

namespace Crossfade.Demo;

/// <summary>
/// A real OpenSSH server on loopback, for a test or a benchmark of adding hosts: its own host key, a client key
/// made for it and authorized for root, no password login; run in the foreground and stopped by its pid.
/// </summary>
public sealed class LoopbackSshd : IAsyncDisposable
{
    private readonly Process _process;

    private LoopbackSshd(Process process, string dir, int port) => (_process, Dir, Port) = (process, dir, port);

    public string Dir { get; }
    public int Port { get; }
    public string ClientKey => Path.Combine(Dir, "client_key");
    public string KnownHosts => Path.Combine(Dir, "known_hosts");

    public static async Task<LoopbackSshd> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("cf-it-sshd-").FullName;
        foreach (var key in new[] { "host_key", "client_key" })
            await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, key));
        File.Copy(Path.Combine(dir, "client_key.pub"), Path.Combine(dir, "authorized_keys"));
        // sshd wants its privilege separation folder.
        Directory.CreateDirectory("/run/sshd");
        var port = FreePorts.Next();
        await File.WriteAllTextAsync(Path.Combine(dir, "sshd_config"), $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {dir}/host_key
            AuthorizedKeysFile {dir}/authorized_keys
            PidFile {dir}/sshd.pid
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no

            """);
        var info = new ProcessStartInfo("/usr/sbin/sshd") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { "-D", "-e", "-f", Path.Combine(dir, "sshd_config") })
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await AcceptsAsync(port))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"sshd did not start on port {port}");
            await Task.Delay(50);
        }
        return new LoopbackSshd(process, dir, port);
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
