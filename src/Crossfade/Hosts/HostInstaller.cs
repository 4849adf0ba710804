using System.Globalization;
using System.Text;
using Crossfade.Cli;

namespace Crossfade.Hosts;

/// <summary>
/// Adds a host, step by step, each printing what it did or found: check the host, its system user, its
/// folders, the binary (the server's, checked by hash on both ends), the one-time enrollment token, the
/// service that keeps the agent running, and the agent online. Running it again on a host set up the same way
/// changes nothing.
/// </summary>
public sealed class HostInstaller(ApiClient api, SshLink ssh, HostPlan plan, TextWriter output, TimeProvider time)
{
    private const long MinFreeBytes = 1L << 30;
    private static readonly TimeSpan OnlineWithin = TimeSpan.FromSeconds(90);
    private int _changed;

    /// <summary>Runs every step; returns how many changed something on the host or the server.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        // The server first: a refused token or an untrusted server stops the run before the host is touched.
        var binaries = await api.BinariesAsync(ct);
        var sudo = (await ssh.MustAsync("reading the login's user id", "id -u", ct)).Trim() != "0";
        ssh.UseSudo(sudo);
        var probe = HostProbe.Read(await ssh.MustAsync("checking the host", HostProbe.Script(plan), ct));
        var rid = Check(probe, sudo);
        await UserAsync(probe, ct);
        await FoldersAsync(probe, ct);
        var binaryChanged = await BinaryAsync(probe, rid, binaries, ct);
        await EnrollAsync(probe, ct);
        await ServiceAsync(probe, binaryChanged, ct);
        await OnlineAsync(binaries.First(b => b.Rid == rid).Sha256, ct);
        return _changed;
    }

    private void Say(string step, string what, bool changed)
    {
        if (changed)
            _changed++;
        output.WriteLine($"  {step,-9} {what}");
    }

    private string Check(HostProbe probe, bool sudo)
    {
        var rid = probe.Rid ?? throw new HostStepException($"{ssh.Target} runs {probe.Os} on {probe.Machine}: Crossfade's agent is built for Linux on x86_64 and aarch64");
        if (probe.FreeBytes < MinFreeBytes)
            throw new HostStepException($"{ssh.Target} has {probe.FreeBytes >> 20} MiB free under {(plan.Prefix.Length == 0 ? "/" : plan.Prefix)}: releases need at least 1 GiB");
        if (probe.PortBusy && !probe.Running)
            throw new HostStepException($"port {plan.ProxyPort} is taken on {ssh.Target} by another program: the host's proxy needs it (choose another with --proxy-port)");
        var service = plan.SystemdUsable(probe.Systemd) ? "systemd" : "no systemd: a supervised loop";
        var port = plan.ProxyPort is { } p ? probe.PortBusy ? $", port {p} held by its own proxy" : $", port {p} free" : "";
        Say("check", $"{probe.Os} {probe.Machine} ({rid}), {probe.FreeBytes / (1L << 30)} GiB free{port}, {service}{(sudo ? ", through sudo" : "")}", false);
        return rid;
    }

    private async Task UserAsync(HostProbe probe, CancellationToken ct)
    {
        if (probe.UserExists)
        {
            Say("user", $"found {plan.User}", false);
            return;
        }
        var shell = "$(command -v nologin || echo /bin/false)";
        await ssh.MustAsync("creating the agent's user",
            $"useradd --system --home-dir {SshLink.Quote(plan.Root)} --no-create-home --shell {shell} {SshLink.Quote(plan.User)}", ct);
        Say("user", $"created system user {plan.User}", true);
    }

    private async Task FoldersAsync(HostProbe probe, CancellationToken ct)
    {
        // Owner and mode are set every time: a folder someone changed is put right, and that is no change of the layout.
        var (bin, binary, root, logs, user) = (SshLink.Quote(plan.BinDir), SshLink.Quote(plan.BinaryDir), SshLink.Quote(plan.Root), SshLink.Quote(plan.LogDir), SshLink.Quote(plan.User));
        await ssh.MustAsync("making the folders",
            $"mkdir -p {bin} {binary} {root} {logs} && chown -h root: {bin} {logs} && chmod 755 {bin} {logs} "
            + $"&& chown -h {user}: {binary} {root} && chmod 755 {binary} && chmod 750 {root}", ct);
        // The agent's user owns the binary's folder ('host upgrade' has the agent replace its own binary there) and its root; root owns the rest.
        Say("folders", probe.FoldersExist ? $"found {plan.BinDir}, {plan.Root} and {plan.LogDir}" : $"made {plan.BinDir}, {plan.Root} and {plan.LogDir}", !probe.FoldersExist);
    }

    /// <summary>The server's binary for the host's platform, copied only when the host's differs; true when it was.</summary>
    private async Task<bool> BinaryAsync(HostProbe probe, string rid, IReadOnlyList<Contracts.V1.BinaryView> binaries, CancellationToken ct)
    {
        var binary = binaries.FirstOrDefault(b => b.Rid == rid)
            ?? throw new HostStepException($"the server has no crossfade binary for {rid}: run ./build.sh {rid} and copy artifacts/dist/{rid} into the server's binaries folder (<data>/binaries/{rid})");
        if (probe.BinarySha256 == binary.Sha256)
        {
            Say("binary", $"found {plan.Binary} ({binary.Version ?? "sha256 " + binary.Sha256[..12]})", false);
            return false;
        }
        var local = Path.Combine(Path.GetTempPath(), $"cf-binary-{Guid.NewGuid():N}");
        try
        {
            await api.DownloadBinaryAsync(rid, binary.Sha256, local, ct);
            var staged = plan.Binary + ".new";
            await using (var file = File.OpenRead(local))
                await ssh.MustAsync("copying the binary", plan.AsUser($"cat > {SshLink.Quote(staged)} && chmod 755 {SshLink.Quote(staged)}"), ct, file);
            var landed = (await ssh.MustAsync("checking the copied binary", plan.AsUser($"sha256sum {SshLink.Quote(staged)} | cut -d' ' -f1"), ct)).Trim();
            if (landed != binary.Sha256)
                throw new HostStepException($"the binary arrived on {ssh.Target} with SHA-256 {landed}, not {binary.Sha256}: not installed");
            await ssh.MustAsync("installing the binary", plan.AsUser($"mv -f {SshLink.Quote(staged)} {SshLink.Quote(plan.Binary)}"), ct);
        }
        finally
        {
            File.Delete(local);
        }
        Say("binary", $"{(probe.BinarySha256 is null ? "installed" : "replaced")} {plan.Binary} ({binary.Version ?? rid}, {binary.Size / (1 << 20)} MiB, sha256 {binary.Sha256[..12]} checked on the host)", true);
        return true;
    }

    private async Task EnrollAsync(HostProbe probe, CancellationToken ct)
    {
        if (probe.Enrolled)
        {
            Say("enroll", "found the agent's token: enrolled already", false);
            return;
        }
        var token = await api.CreateTokenAsync("enroll", plan.Name, ct);
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(token.Token + "\n"));
        await ssh.MustAsync("placing the enrollment token", plan.AsUser($"umask 077 && cat > {SshLink.Quote(plan.TokenFile)}"), ct, input);
        Say("enroll", $"placed a one-time enrollment token{(token.Fingerprint is { } pin ? $" carrying the server's key {pin}" : "")}", true);
    }

    private async Task ServiceAsync(HostProbe probe, bool binaryChanged, CancellationToken ct)
    {
        var systemd = plan.SystemdUsable(probe.Systemd);
        var (path, text) = systemd ? (plan.Unit, AgentService.Unit(plan)) : (plan.Supervisor, AgentService.SupervisorScript(plan));
        var current = (await ssh.RunAsync($"cat {SshLink.Quote(path)} 2>/dev/null", null, ct)).Out;
        var written = current != text;
        if (written)
        {
            using var input = new MemoryStream(Encoding.UTF8.GetBytes(text));
            await ssh.MustAsync("writing the agent's service", $"cat > {SshLink.Quote(path)}.new && chmod 644 {SshLink.Quote(path)}.new && mv -f {SshLink.Quote(path)}.new {SshLink.Quote(path)}", ct, input);
        }
        var restart = written || binaryChanged || !probe.Running;
        if (restart)
        {
            var script = systemd
                ? "systemctl daemon-reload && systemctl enable --quiet crossfade-agent && systemctl restart crossfade-agent"
                : AgentService.StopSupervisor(plan) + "; " + AgentService.StartSupervisor(plan);
            await ssh.MustAsync("starting the agent", script, ct);
        }
        var what = systemd ? "systemd unit crossfade-agent" : $"supervised loop {plan.Supervisor}";
        Say("service", restart ? $"{(written ? "wrote" : "found")} {what}; {(probe.Running ? "restarted" : "started")} the agent" : $"found {what}, running", restart);
    }

    private async Task OnlineAsync(string installed, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + OnlineWithin;
        while (true)
        {
            var host = (await api.HostsAsync(ct)).FirstOrDefault(h => h.Name == plan.Name);
            // The agent started now reports the binary just installed; one seen before the restart does not count.
            if (host is { Online: true, AgentVersion: not null } && (host.BinarySha256 is null || host.BinarySha256 == installed))
            {
                Say("online", $"{plan.Name} is online, agent {host.AgentVersion.Split('+')[0]}", false);
                return;
            }
            if (time.GetUtcNow() > deadline)
                throw new HostStepException($"{plan.Name} did not come online within {OnlineWithin.TotalSeconds:0} s: see {plan.Log} on the host" +
                    (plan.Prefix.Length == 0 ? " (or 'journalctl -u crossfade-agent')" : ""));
            await Task.Delay(TimeSpan.FromMilliseconds(500), time, ct);
        }
    }
}
