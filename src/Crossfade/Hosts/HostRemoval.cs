using Crossfade.Cli;

namespace Crossfade.Hosts;

/// <summary>
/// Takes a host out of service, step by step, each printing what it did or found: over SSH (when the host is
/// reached) the agent's service is stopped and removed; the proxy and the app's instances keep serving unless
/// asked to stop too, and the files go only when asked (after the serving processes); last, the server forgets
/// the host and revokes its tokens, so an agent that still runs somewhere is refused from its next request.
/// Running it again changes nothing.
/// </summary>
public sealed class HostRemoval(ApiClient api, SshLink? ssh, HostPlan plan, HostRemoval.Choices choices, TextWriter output)
{
    /// <summary>What goes besides the agent: the serving processes, and then the files.</summary>
    public sealed record Choices(bool StopServing, bool Purge);

    private int _changed;

    /// <summary>Runs every step; returns how many changed something on the host or the server.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        if (ssh is not null)
        {
            var sudo = (await ssh.MustAsync("reading the login's user id", "id -u", ct)).Trim() != "0";
            ssh.UseSudo(sudo);
            await CanStopServingAsync(ct);
            await ServiceAsync(ct);
            await ServingAsync(ct);
            await FilesAsync(ct);
        }
        else
            Say("host", $"not reached (no --ssh): its agent, proxy and instances run on until stopped there ('crossfade host remove {plan.Name} --ssh …' does it)", false);
        var removed = await api.RemoveHostAsync(plan.Name, ct);
        Say("server", removed.WasEnrolled
            ? $"removed {plan.Name} and revoked {removed.TokensRevoked} token(s): its agent is refused from now on"
            : removed.TokensRevoked > 0 ? $"{plan.Name} was not enrolled; revoked {removed.TokensRevoked} unused enrollment token(s) made for it"
            : $"{plan.Name} is not enrolled: nothing to revoke", removed.WasEnrolled || removed.TokensRevoked > 0);
        return _changed;
    }

    private void Say(string step, string what, bool changed)
    {
        if (changed)
            _changed++;
        output.WriteLine($"  {step,-9} {what}");
    }

    /// <summary>The agent's systemd unit or supervised loop: stopped, disabled and removed. Its proxy and instances run in sessions of their own and stay.</summary>
    private async Task ServiceAsync(CancellationToken ct)
    {
        var systemd = plan.Prefix.Length == 0;
        var (unit, supervisor) = (SshLink.Quote(plan.Unit), SshLink.Quote(plan.Supervisor));
        var found = (await ssh!.MustAsync("looking for the agent's service",
            (systemd ? $"[ -f {unit} ] && echo unit; " : "") + $"[ -f {supervisor} ] && echo loop; true", ct))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (found.Length == 0)
        {
            Say("service", "found no agent service", false);
            return;
        }
        if (found.Contains("unit"))
            await ssh.MustAsync("stopping the agent's unit",
                $"systemctl disable --now --quiet crossfade-agent 2>/dev/null; rm -f {unit} && systemctl daemon-reload", ct);
        if (found.Contains("loop"))
            await ssh.MustAsync("stopping the agent's loop", $"{AgentService.StopSupervisor(plan)}; rm -f {supervisor}", ct);
        Say("service", $"stopped and removed {(found.Contains("unit") ? "systemd unit crossfade-agent" : $"supervised loop {plan.Supervisor}")}", true);
    }

    /// <summary>
    /// Before anything is stopped: the host's binary must know <c>agent stop-serving</c> when it is asked for
    /// (an agent installed before it must be upgraded first, while it still runs to take the upgrade).
    /// </summary>
    private async Task CanStopServingAsync(CancellationToken ct)
    {
        if (!choices.StopServing)
            return;
        var binary = SshLink.Quote(plan.Binary);
        var (exit, _, _) = await ssh!.RunAsync($"[ ! -x {binary} ] || {plan.AsUser($"{binary} agent stop-serving --help")} > /dev/null 2>&1", null, ct);
        if (exit != 0)
            throw new HostStepException($"{plan.Binary} on {ssh.Target} is older than 'agent stop-serving': run 'crossfade host upgrade {plan.Name}' first, then remove the host; nothing was changed");
    }

    private async Task ServingAsync(CancellationToken ct)
    {
        if (!choices.StopServing)
        {
            Say("serving", "left the proxy and app instances serving (--stop-serving stops them)", false);
            return;
        }
        var (binary, root) = (SshLink.Quote(plan.Binary), SshLink.Quote(plan.Root));
        var said = (await ssh!.MustAsync("stopping the proxy and instances",
            $"if [ -x {binary} ] && [ -d {root} ]; then {plan.AsUser($"{binary} agent stop-serving --root {root}")}; else echo 'nothing was serving'; fi", ct)).Trim();
        Say("serving", said, !said.StartsWith("nothing", StringComparison.Ordinal));
    }

    private async Task FilesAsync(CancellationToken ct)
    {
        if (!choices.Purge)
            return;
        var folders = new[] { plan.BinDir, plan.Root, plan.LogDir };
        var quoted = string.Join(' ', folders.Select(SshLink.Quote));
        var present = (await ssh!.MustAsync("looking for the agent's folders", $"for f in {quoted}; do [ -e \"$f\" ] && echo \"$f\"; done; true", ct))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (present.Length == 0)
        {
            Say("files", "found none of the agent's folders", false);
            return;
        }
        await ssh.MustAsync("removing the agent's folders", $"rm -rf {quoted}", ct);
        Say("files", $"removed {string.Join(", ", present)} (the system user {plan.User} stays: 'userdel {plan.User}' removes it)", true);
    }
}
