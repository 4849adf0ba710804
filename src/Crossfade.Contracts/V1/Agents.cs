namespace Crossfade.Contracts.V1;

/// <summary>An agent's first call: trades the one-time enrollment token for an agent token.</summary>
public sealed record EnrollRequest(string Name, IReadOnlyList<string> Roles, string EnrollmentToken);

/// <summary>The server's answer to an enrollment: the token the agent uses from now on.</summary>
public sealed record EnrollResponse(string Host, string AgentToken);

/// <summary>
/// What an agent says about itself on every poll: its version, the releases it serves, its processes, and
/// the platform and SHA-256 of the binary it runs as installed (none when it was not installed as one file).
/// </summary>
public sealed record AgentHeartbeat(
    string Version, IReadOnlyDictionary<string, string> LiveReleases, IReadOnlyList<InstanceReport>? Instances = null, string? Rid = null, string? BinarySha256 = null);

/// <summary>The header of a poll's answer that asks the agent to replace its binary with the server's of this SHA-256.</summary>
public static class UpgradeHeader
{
    public const string Name = "X-Crossfade-Upgrade";
}

/// <summary>
/// A process the agent runs for an app, as its heartbeat reports it: what it is (<c>live</c>,
/// <c>candidate</c>, <c>previous</c>, <c>worker</c>, <c>proxy</c>), which release, its pid and port, since when, and
/// whether it is running now (the process exists and is the one started).
/// </summary>
public sealed record InstanceReport(string App, string Kind, string? Version, int Pid, int Port, DateTimeOffset? StartedAt, bool Running);

/// <summary>A step handed to an agent by the long poll.</summary>
/// <remarks>
/// <paramref name="Converge"/> is rendered for this host when the step is handed out, never stored.
/// <paramref name="Kind"/> is a <see cref="StepKind"/>'s wire name kept as text: an agent one version behind
/// the server must still read the work it is given, and answer a kind it does not know with a failed step
/// that says so, instead of failing to read its poll.
/// </remarks>
public sealed record WorkItem(long StepId, long DeployId, string Kind, StepPayload Payload, ConvergePlan? Converge = null);

/// <summary>Everything a host needs to run a step, so the agent keeps no copy of the app spec.</summary>
/// <remarks>
/// <paramref name="SplitPercent"/> is a split step's share of the host's clients for its candidate (0 ends
/// the split). <paramref name="Look"/> numbers the checks a judged window runs again and again, so each is
/// a step of its own.
/// </remarks>
public sealed record StepPayload(
    string App,
    string Version,
    string Sha256,
    IReadOnlyList<string> Roles,
    AppRuntime Runtime,
    ConfigRef? Config = null,
    ArchiveBounds? Archive = null,
    int? SplitPercent = null,
    int? Look = null);

/// <summary>
/// The bounds a host holds a release archive to while it unpacks it (the server's options); a host
/// given none uses its own defaults.
/// </summary>
public sealed record ArchiveBounds(long MaxUnpackedBytes, int MaxEntries);

/// <summary>
/// Which configuration a converge step applies: the snapshot stored with a deploy (its variables and
/// encrypted secrets) over the resources of <see cref="StepPayload.Version"/>.
/// </summary>
public sealed record ConfigRef(long SnapshotDeployId, bool WhyRun, string ReloadMode);

/// <summary>How to run an app on a host.</summary>
public sealed record AppRuntime(
    string Run,
    string? Worker,
    string? Migrate,
    string HealthPath,
    int HealthTimeoutSeconds,
    int ProxyPort,
    int DrainSeconds,
    int KeepReleases,
    IReadOnlyList<string> SharedPaths,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<CheckDefinition>? Checks = null,
    int BakeSeconds = 0,
    IReadOnlyList<string>? LogFiles = null,
    double WorkerSettleSeconds = 1,
    ProxyTls? Tls = null,
    IReadOnlyList<string>? ProxyHosts = null);

/// <summary>Output lines a running step reports.</summary>
public sealed record StepLogBatch(IReadOnlyList<StepLogLine> Lines);

/// <summary>How a step ended on a host.</summary>
public sealed record StepResult(bool Succeeded, string Message, ConvergeReport? Converge = null);

/// <summary>A single-file crossfade the server hands to hosts of a platform (<c>linux-x64</c>, <c>linux-arm64</c>): its version when known, size and SHA-256.</summary>
public sealed record BinaryView(string Rid, string? Version, long Size, string Sha256);

/// <summary>
/// A host taken off the server by <c>crossfade host remove</c>: whether it was enrolled, and how many of its
/// tokens (its agent's, and enrollment tokens made for it and not used) were revoked with it.
/// </summary>
public sealed record HostRemovedView(string Host, bool WasEnrolled, int TokensRevoked);

/// <summary>
/// HTTPS at a host's proxy, from the spec's <c>proxy.tls:</c>: the public HTTPS port, the certificate files
/// on the hosts per host name, whether plain requests are redirected to HTTPS, and the HSTS max-age (0: none).
/// </summary>
public sealed record ProxyTls(int Port, IReadOnlyList<ProxyCertificate> Certificates, bool RedirectHttps = false, int HstsMaxAgeSeconds = 0)
{
    /// <summary>The proxy's command-line options for these settings, each a separate argument.</summary>
    public IReadOnlyList<string> Arguments() =>
        [
            "--tls-port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. Certificates.SelectMany(c => new[] { "--cert", $"{string.Join(',', c.Hosts)}={c.Cert},{c.Key}" }),
            .. RedirectHttps ? new[] { "--redirect-https" } : [],
            .. HstsMaxAgeSeconds > 0 ? new[] { "--hsts-max-age", HstsMaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) } : [],
        ];
}

/// <summary>A PEM certificate (with its chain) and key on the hosts, served for these host names.</summary>
public sealed record ProxyCertificate(IReadOnlyList<string> Hosts, string Cert, string Key);
