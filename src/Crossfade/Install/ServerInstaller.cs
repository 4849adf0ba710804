using System.Diagnostics;

namespace Crossfade.Install;

/// <summary>
/// Installs the server as a systemd service on this machine, step by step, each printing what it did or found:
/// the system user, the data folder, the unit file, and the service enabled and (re)started when systemd runs
/// here. Running it again with the same options changes nothing.
/// </summary>
public sealed class ServerInstaller(ServerService service, bool start, TextWriter output, TimeProvider time)
{
    /// <summary>How long a started server has to answer its health check.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private int _changed;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        await UserAsync(ct);
        await FolderAsync(ct);
        var written = await UnitAsync(ct);
        await ServiceAsync(written, ct);
        return _changed;
    }

    private void Say(string step, string what, bool changed)
    {
        if (changed)
            _changed++;
        output.WriteLine($"  {step,-9} {what}");
    }

    private async Task UserAsync(CancellationToken ct)
    {
        if ((await RunAsync("id", ["-u", service.User], ct)).Exit == 0)
        {
            Say("user", $"found {service.User}", false);
            return;
        }
        var shell = File.Exists("/usr/sbin/nologin") ? "/usr/sbin/nologin" : "/bin/false";
        await MustAsync("useradd", ["--system", "--home-dir", service.DataDir, "--no-create-home", "--shell", shell, service.User], ct);
        Say("user", $"created system user {service.User}", true);
    }

    private async Task FolderAsync(CancellationToken ct)
    {
        var existed = Directory.Exists(service.DataDir);
        // A folder of the system's or someone else's (/var/lib itself, a home) is never taken over.
        if (existed && Directory.EnumerateFileSystemEntries(service.DataDir).Any())
        {
            var (_, owner) = await RunAsync("stat", ["-c", "%U", service.DataDir], ct, output: true);
            if (owner.Trim() != service.User)
                throw new InvalidOperationException($"{service.DataDir} holds files and belongs to {owner.Trim()}, not {service.User}: give the server a folder of its own (--data)");
        }
        Directory.CreateDirectory(service.DataDir);
        // Owner and mode are set every time: a folder someone changed is put right.
        await MustAsync("chown", [service.User + ":", service.DataDir], ct);
        File.SetUnixFileMode(service.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        Say("data", existed ? $"found {service.DataDir}" : $"made {service.DataDir} (the store, artifacts, TLS key and admin token go here)", !existed);
    }

    private async Task<bool> UnitAsync(CancellationToken ct)
    {
        var text = service.Unit();
        var current = File.Exists(service.UnitPath) ? await File.ReadAllTextAsync(service.UnitPath, ct) : null;
        if (current == text)
        {
            Say("unit", $"found {service.UnitPath}", false);
            return false;
        }
        Directory.CreateDirectory(service.UnitDir);
        var temp = service.UnitPath + ".new";
        await File.WriteAllTextAsync(temp, text, ct);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(temp, service.UnitPath, overwrite: true);
        Say("unit", $"{(current is null ? "wrote" : "rewrote")} {service.UnitPath}", true);
        return true;
    }

    private async Task ServiceAsync(bool written, CancellationToken ct)
    {
        if (!start)
        {
            Say("service", $"not started (--no-start): 'systemctl daemon-reload && systemctl enable --now {ServerService.UnitName}' starts it", false);
            return;
        }
        if (!Directory.Exists("/run/systemd/system"))
        {
            Say("service", $"systemd does not run here: start the server with: {service.ExecStart()}", false);
            return;
        }
        var active = (await RunAsync("systemctl", ["is-active", "--quiet", ServerService.UnitName], ct)).Exit == 0;
        if (!written && active)
        {
            Say("service", $"found {ServerService.UnitName} running", false);
            return;
        }
        await MustAsync("systemctl", ["daemon-reload"], ct);
        await MustAsync("systemctl", ["enable", "--quiet", ServerService.UnitName], ct);
        await MustAsync("systemctl", [active ? "restart" : "start", ServerService.UnitName], ct);
        await WaitUpAsync(ct);
        Say("service", $"{(active ? "restarted" : "started")} {ServerService.UnitName}; the admin token is in {Path.Combine(service.DataDir, "admin.token")}", true);
    }

    /// <summary>
    /// 'start' returns once the process is forked: the server is up when it answers its health check on this
    /// machine. One that exits (a bad option, a taken port) is caught when systemd gives up on it, or at the deadline.
    /// </summary>
    private async Task WaitUpAsync(CancellationToken ct)
    {
        var url = LocalHealthUrl(service.Urls);
        // Only whether it answers is asked, of this machine, with nothing sent: its certificate is not the question here.
        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        }) { Timeout = TimeSpan.FromSeconds(2) };
        var started = time.GetTimestamp();
        while (true)
        {
            if ((await RunAsync("systemctl", ["is-failed", "--quiet", ServerService.UnitName], ct)).Exit == 0)
                throw new InvalidOperationException($"{ServerService.UnitName} did not stay up: see 'journalctl -u {ServerService.UnitName}'");
            try
            {
                using var answer = await http.GetAsync(url, ct);
                if (answer.IsSuccessStatusCode)
                    return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // Not listening yet.
            }
            if (time.GetElapsedTime(started) > StartTimeout)
                throw new InvalidOperationException($"{ServerService.UnitName} did not answer {url} within {StartTimeout.TotalSeconds:0} s: see 'journalctl -u {ServerService.UnitName}'");
            await Task.Delay(TimeSpan.FromMilliseconds(500), time, ct);
        }
    }

    /// <summary>The first listen address's health check as asked on this machine (a wildcard address asked on loopback).</summary>
    public static Uri LocalHealthUrl(string urls)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        var local = System.Text.RegularExpressions.Regex.Replace(first, @"://(\*|\+|0\.0\.0\.0)(?=[:/]|$)", "://127.0.0.1").Replace("://[::]", "://[::1]", StringComparison.Ordinal);
        return new Uri(new Uri(local.TrimEnd('/') + "/"), "healthz");
    }

    private static async Task MustAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var (exit, error) = await RunAsync(program, arguments, ct);
        if (exit != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({exit}): {error.Trim()}");
    }

    /// <summary>Runs a program; returns its exit code and its standard error (or, with <paramref name="output"/>, its standard output).</summary>
    private static async Task<(int Exit, string Text)> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct, bool output = false)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var standard = process.StandardOutput.ReadToEndAsync(ct);
        var error = await process.StandardError.ReadToEndAsync(ct);
        var text = await standard;
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, output ? text : error);
    }
}
