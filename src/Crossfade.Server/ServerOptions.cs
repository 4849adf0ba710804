namespace Crossfade.Server;

/// <summary>Settings of the control plane, with their defaults.</summary>
public sealed class ServerOptions
{
    /// <summary>The folder that holds the store, the artifacts and the admin token.</summary>
    public string DataDir { get; set; } = "./.crossfade";

    /// <summary>Where the server listens.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:7400";

    /// <summary>The PEM certificate (with its chain) https addresses present; a self-signed one is made in the data folder when unset.</summary>
    public string? TlsCertPath { get; set; }

    /// <summary>The PEM private key of <see cref="TlsCertPath"/>.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>Where the single-file binaries for hosts are (<c>&lt;rid&gt;/crossfade</c>, as <c>./build.sh</c> writes them); <c>&lt;data&gt;/binaries</c> when unset.</summary>
    public string? BinariesDir { get; set; }

    /// <summary>Plain HTTP on an address other machines reach: tokens in clear text, accepted only when asked for by name.</summary>
    public bool InsecureHttp { get; set; }

    /// <summary>The address people reach the server at (behind a proxy, say), for links in notices; the first of <see cref="Urls"/> when unset.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The address links in notices start with.</summary>
    public string LinkRoot => (PublicUrl ?? Urls.Split(';', StringSplitOptions.RemoveEmptyEntries)[0]).TrimEnd('/');

    /// <summary>The largest release archive accepted.</summary>
    public long MaxUploadBytes { get; set; } = 1L << 30;

    /// <summary>What a release archive may hold once unpacked: checked at push time here, and again by every agent.</summary>
    public Core.Artifacts.ArchiveLimits Releases { get; set; } = new();

    public Telemetry.TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>How long an agent's poll waits for work before it answers "nothing".</summary>
    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A host not heard from for this long is offline, and a deploy that needs it is refused.</summary>
    public TimeSpan OfflineAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one step may take on a host before it counts as failed.</summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a migration step may take. Longer than the agent's own 30-minute bound on a migration, so
    /// the host's answer (its exit code, or that it timed out) arrives before the server gives up on it.
    /// </summary>
    public TimeSpan MigrationTimeout { get; set; } = TimeSpan.FromMinutes(35);

    /// <summary>How often the judge looks at a judged window (and a judged bake window) again.</summary>
    public TimeSpan JudgeLookEvery { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often, in a judged window, every candidate is checked again (still running, its critical paths passing).</summary>
    public TimeSpan JudgeCheckEvery { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the candidates are checked again while a window that ran out holds for a person: a hold
    /// may last hours, and each round of checks is a step on record per host.
    /// </summary>
    public TimeSpan JudgeHeldCheckEvery { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long such a check may take: a host that has not answered by then says nothing about the release (its agent may be busy or reconnecting).</summary>
    public TimeSpan JudgeCheckTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a deploy's lease lasts without a heartbeat. A deploy whose owner stopped heartbeating for
    /// longer is resumed by whichever server process sees it first.
    /// </summary>
    public TimeSpan LeaseExpiry { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>This server process, as the owner of the deploys it runs.</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
            throw new ArgumentException("--data must name a folder");
        if (MaxUploadBytes <= 0)
            throw new ArgumentException("the upload limit must be positive");
        if (LeaseExpiry <= TimeSpan.Zero)
            throw new ArgumentException("--lease-expiry must be positive");
        if ((TlsCertPath is null) != (TlsKeyPath is null))
            throw new ArgumentException("--tls-cert and --tls-key go together: the certificate and its private key, both PEM");
        if (Tls.ListenUrl.PlainBeyondLoopback(Urls) is { Count: > 0 } plain && !InsecureHttp)
            throw new ArgumentException(
                $"{string.Join(", ", plain)} would carry tokens in clear text to other machines: listen on https:// instead (a self-signed certificate is made on first start, and enrollment tokens carry its fingerprint), or pass --insecure-http to accept that");
        if (Releases.Problems().ToList() is { Count: > 0 } problems)
            throw new ArgumentException(string.Join("; ", problems));
    }
}
