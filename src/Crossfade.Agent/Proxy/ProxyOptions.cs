namespace Crossfade.Agent.Proxy;

/// <summary>Settings of one host proxy process.</summary>
public sealed class ProxyOptions
{
    /// <summary>The public port that takes the app's traffic.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>The address the public port binds to.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>The loopback port of the control endpoint that the agent drives.</summary>
    public int ControlPort { get; set; }

    /// <summary>Where the live upstream is kept across restarts.</summary>
    public string? StateFile { get; set; }

    /// <summary>Where the proxy keeps its named sites (several apps on one port, by host name); null: one app only.</summary>
    public string? SitesFile { get; set; }

    /// <summary>The agent's root: a named site's state file and access log are its app's own there, never a path a caller names.</summary>
    public string? SitesRoot { get; set; }

    /// <summary>Where access records are appended, one JSON line per request.</summary>
    public string? AccessLog { get; set; }

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a kept-alive client connection may wait, idle, for its next request to begin.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// How long a request head may take to arrive whole: from the connection's start for its first
    /// request, from its first byte for the next ones. A client that trickles a head is closed then.
    /// </summary>
    public TimeSpan HeadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most client connections open at once; past it new ones are refused at once.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>The most client connections open at once from one address.</summary>
    public int MaxConnectionsPerClient { get; set; } = 256;

    /// <summary>
    /// How long the upstream may take to start its answer once it has the request; also how long a
    /// request body (a client that stops sending it gets a 408) or an answer's body (the client's
    /// connection is closed on a cut answer) may stand still on its way.
    /// </summary>
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How long an upgraded connection (a WebSocket) may stay open with no byte moving either way.</summary>
    public TimeSpan TunnelIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a stopping proxy lets open requests finish.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The public HTTPS port, when the proxy serves HTTPS (with <see cref="Certificates"/>).</summary>
    public int? TlsPort { get; set; }

    /// <summary>The address the HTTPS port binds to (default: <see cref="BindAddress"/>).</summary>
    public string? TlsBindAddress { get; set; }

    /// <summary>The certificates the HTTPS port serves, chosen by the name the client asks for.</summary>
    public List<Tls.CertificateFiles> Certificates { get; set; } = [];

    /// <summary>Whether a request on the plain port is sent to the same address over HTTPS (308), ACME's challenges excepted.</summary>
    public bool RedirectHttps { get; set; }

    /// <summary>When set, HTTPS answers tell browsers to use only HTTPS for this long (Strict-Transport-Security).</summary>
    public TimeSpan? HstsMaxAge { get; set; }

    public void Validate()
    {
        if (TlsPort is { } tls && (tls is < 1 or > 65535 || tls == Port || tls == ControlPort))
            throw new ArgumentException($"--tls-port must be 1..65535 and differ from --port and --control-port, not {tls}");
        if (HstsMaxAge is { } hsts && hsts < TimeSpan.Zero)
            throw new ArgumentException("--hsts-max-age must be 0 or more seconds");
        // A proxy of named sites may start with none: each site brings its own.
        if (TlsPort is not null && Certificates.Count == 0 && SitesFile is null)
            throw new ArgumentException("--tls-port needs at least one --cert name=cert.pem,key.pem");
        if (TlsPort is null && (Certificates.Count > 0 || RedirectHttps || HstsMaxAge is not null))
            throw new ArgumentException("--cert, --redirect-https and --hsts-max-age need --tls-port");
        if (Port is < 1 or > 65535)
            throw new ArgumentException($"--port must be 1..65535, not {Port}");
        if (ControlPort is < 1 or > 65535 || ControlPort == Port)
            throw new ArgumentException("--control-port must be 1..65535 and differ from --port");
        if (MaxConnections < 1 || MaxConnectionsPerClient < 1)
            throw new ArgumentException("connection caps must be at least 1");
        if (HeadTimeout <= TimeSpan.Zero)
            throw new ArgumentException("the head timeout must be positive");
    }
}
