namespace Crossfade.Agent;

/// <summary>Settings of one agent, one per host.</summary>
public sealed class AgentOptions
{
    public string Server { get; set; } = "http://127.0.0.1:7400";
    public string Name { get; set; } = Environment.MachineName.ToLowerInvariant();
    public IReadOnlyList<string> Roles { get; set; } = ["web"];
    public string Root { get; set; } = "./.crossfade-agent";
    /// <summary>The one-time enrollment token; needed only until the agent has its own.</summary>
    public string? Token { get; set; }

    /// <summary>A file holding the enrollment token (so it is in no process list or unit file); removed once the agent has enrolled.</summary>
    public string? TokenFile { get; set; }
    /// <summary>
    /// The server's key pin (<c>sha256:…</c>) when it is not carried by the enrollment token; once enrolled,
    /// the pin kept in <c>server.pin</c> under <see cref="Root"/> is the one trusted.
    /// </summary>
    public string? Fingerprint { get; set; }

    /// <summary>
    /// The single-file binary this agent was installed as (by <c>crossfade host add</c>): reported by its hash,
    /// and replaced by the server's when an admin asks for an upgrade. None: no upgrades from the server.
    /// </summary>
    public string? Binary { get; set; }

    /// <summary>Overrides the app's proxy port, for several hosts on one machine.</summary>
    public int? ProxyPort { get; set; }

    /// <summary>The HTTPS port of this host's proxy when the spec asks for HTTPS (overrides the spec's, for several hosts on one machine).</summary>
    public int? ProxyTlsPort { get; set; }
    /// <summary>The command that starts this program, for launching the proxy.</summary>
    public IReadOnlyList<string> SelfCommand { get; set; } = [];
    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(20);
    /// <summary>Ship the apps' logs and the proxy's access records to the server.</summary>
    public bool ShipLogs { get; set; } = true;
    /// <summary>The bound of the on-disk buffer of lines not yet taken by the server; over it the oldest are dropped.</summary>
    public long MaxSpoolBytes { get; set; } = 256L << 20;

    /// <summary>The longest wait between two tries to ship a batch the server did not take (the backoff grows to it).</summary>
    public TimeSpan ShipBackoffMax { get; set; } = TimeSpan.FromSeconds(5);

    public void Validate()
    {
        if (!Uri.TryCreate(Server, UriKind.Absolute, out _))
            throw new ArgumentException($"--server must be a URL, not '{Server}'");
        if (SelfCommand.Count == 0)
            throw new ArgumentException("the agent needs the command that starts crossfade, to launch the proxy");
        if (Fingerprint is not null && Core.Links.KeyPin.Parse(Fingerprint) is null)
            throw new ArgumentException($"--fingerprint '{Fingerprint}' is not a key pin: sha256: and 64 hex digits, as the server prints it at start");
        if (ShipBackoffMax <= TimeSpan.Zero)
            throw new ArgumentException("--ship-backoff-max must be positive");
    }
}
