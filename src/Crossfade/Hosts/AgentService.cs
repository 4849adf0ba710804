namespace Crossfade.Hosts;

/// <summary>
/// How the agent is kept running on a host: a systemd unit (restarted always; the proxy and the app's
/// instances are left running when the agent stops or restarts, so serving never depends on it), or, where
/// there is no systemd, a supervising shell loop started in a session of its own and named by its pid file.
/// </summary>
public static class AgentService
{
    public static string Unit(HostPlan plan) => $"""
        # Written by 'crossfade host add'; written again when the host is added again with other settings.
        [Unit]
        Description=Crossfade agent ({plan.Name})
        After=network-online.target
        Wants=network-online.target

        [Service]
        User={plan.User}
        ExecStart={plan.AgentCommand()}
        Restart=always
        RestartSec=2
        # The proxy and instances outlive the agent: stopping it must not stop them.
        KillMode=process
        AmbientCapabilities=CAP_NET_BIND_SERVICE
        WorkingDirectory={plan.Root}

        [Install]
        WantedBy=multi-user.target

        """;

    public static string SupervisorScript(HostPlan plan) => $"""
        #!/bin/sh
        # Written by 'crossfade host add' for a host without systemd: keeps the agent running.
        cd {SshLink.Quote(plan.Root)} || exit 1
        while true; do
          {plan.AgentCommand()}
          sleep 2
        done

        """;

    /// <summary>Starts the supervising loop as the agent's user, in a session of its own, and records its pid.</summary>
    public static string StartSupervisor(HostPlan plan) =>
        $"setsid runuser -u {SshLink.Quote(plan.User)} -- sh {SshLink.Quote(plan.Supervisor)} >> {SshLink.Quote(plan.Log)} 2>&1 < /dev/null & echo $! > {SshLink.Quote(plan.SupervisorPid)}";

    /// <summary>Stops the supervising loop and the agent under it (never the proxy or instances, which run in sessions of their own).</summary>
    /// <remarks>It waits, up to 10 s, until the loop and the agent are gone (then kills what is left): what runs next finds them stopped.</remarks>
    public static string StopSupervisor(HostPlan plan) =>
        $"p=$(cat {SshLink.Quote(plan.SupervisorPid)} 2>/dev/null); case \"$p\" in ''|*[!0-9]*|0|1) ;; *) kill -- -\"$p\" 2>/dev/null; "
        + "i=0; while kill -0 -- -\"$p\" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done; kill -9 -- -\"$p\" 2>/dev/null ;; esac; "
        + $"rm -f {SshLink.Quote(plan.SupervisorPid)}; true";
}
