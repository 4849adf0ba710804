namespace Crossfade.Hosts;

/// <summary>
/// What <c>crossfade host add</c> sets up on a host: the agent's name and roles, the server address as the
/// host reaches it, the proxy port to check, the system user it runs as, and where its files go (under
/// <paramref name="Prefix"/>, normally nothing: the host's own <c>/opt</c>, <c>/var/lib</c> and <c>/etc</c>).
/// </summary>
/// <remarks>
/// What root runs or reads (the service, its pid file, the log) lives in folders only root may write; the
/// binary's folder and the agent's root belong to the agent's user, and root writes nothing there itself.
/// </remarks>
public sealed record HostPlan(string Name, IReadOnlyList<string> Roles, string ServerUrl, int? ProxyPort, string User, string Prefix)
{
    /// <summary>Root's: the supervising script and its pid file.</summary>
    public string BinDir => Prefix + "/opt/crossfade";

    /// <summary>The agent user's: the binary, which the agent replaces itself on an upgrade.</summary>
    public string BinaryDir => BinDir + "/bin";
    public string Binary => BinaryDir + "/crossfade";
    public string Root => Prefix + "/var/lib/crossfade";
    public string TokenFile => Root + "/enroll.token";
    public string AgentToken => Root + "/agent.token";
    public string Supervisor => BinDir + "/crossfade-agent";
    public string SupervisorPid => BinDir + "/supervisor.pid";
    public string LogDir => Prefix + "/var/log/crossfade";
    public string Log => LogDir + "/agent.log";
    public string Unit => "/etc/systemd/system/crossfade-agent.service";

    /// <summary>Runs a command as the agent's user (root's scripts never write into that user's folders themselves: a link planted there would lead them anywhere).</summary>
    public string AsUser(string command) => $"runuser -u {SshLink.Quote(User)} -- sh -c {SshLink.Quote(command)}";

    /// <summary>Whether systemd may run the agent: the host has it, and the files are the host's own (no prefix).</summary>
    public bool SystemdUsable(bool hostHasSystemd) => hostHasSystemd && Prefix.Length == 0;

    /// <summary>The agent's command line, each argument quoted for the shell.</summary>
    public string AgentCommand() =>
        string.Join(' ', new[] { Binary, "agent", "--server", ServerUrl, "--name", Name, "--roles", string.Join(',', Roles), "--root", Root, "--token-file", TokenFile, "--binary", Binary }
            .Concat(ProxyPort is { } port ? ["--proxy-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [])
            .Select(SshLink.Quote));
}
