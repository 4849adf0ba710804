namespace Crossfade.Hosts;

/// <summary>
/// What <c>crossfade host add</c> sets up on a host: the agent's name and roles, the server address as the
/// host reaches it, the proxy port to check, the system user it runs as, and where its files go (under
/// <paramref name="Prefix"/>, normally nothing: the host's own <c>/opt</c>, <c>/var/lib</c> and <c>/etc</c>).
/// </summary>
public sealed record HostPlan(string Name, IReadOnlyList<string> Roles, string ServerUrl, int? ProxyPort, string User, string Prefix)
{
    public string BinDir => Prefix + "/opt/crossfade";
    public string Binary => BinDir + "/crossfade";
    public string Root => Prefix + "/var/lib/crossfade";
    public string TokenFile => Root + "/enroll.token";
    public string AgentToken => Root + "/agent.token";
    public string Supervisor => BinDir + "/crossfade-agent";
    public string SupervisorPid => Root + "/supervisor.pid";
    public string Log => Root + "/agent.log";
    public string Unit => "/etc/systemd/system/crossfade-agent.service";

    /// <summary>Whether systemd may run the agent: the host has it, and the files are the host's own (no prefix).</summary>
    public bool SystemdUsable(bool hostHasSystemd) => hostHasSystemd && Prefix.Length == 0;

    /// <summary>The agent's command line, each argument quoted for the shell.</summary>
    public string AgentCommand() =>
        string.Join(' ', new[] { Binary, "agent", "--server", ServerUrl, "--name", Name, "--roles", string.Join(',', Roles), "--root", Root, "--token-file", TokenFile }
            .Concat(ProxyPort is { } port ? ["--proxy-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [])
            .Select(SshLink.Quote));
}
