namespace Crossfade.Agent.Proxy;

/// <summary>The proxy's connections now and what it turned away since it started (control port, <c>GET /stats</c>).</summary>
public sealed record ProxyStats(int OpenConnections, long RefusedProxyCap, long RefusedClientCap, long HeadTimeouts, long HandshakeFailures = 0);
