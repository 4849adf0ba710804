namespace Crossfade.Agent.Proxy;

/// <summary>Tells the proxy to send new requests to another upstream, and how long to drain the old one.</summary>
public sealed record SwapRequest(string Url, string Release, int DrainSeconds);

/// <summary>What a swap did: the upstream it replaced, and whether that one drained in time.</summary>
public sealed record SwapResult(string? PreviousUrl, string? PreviousRelease, bool Drained, int InFlightLeft, double DrainMs);

/// <summary>What the proxy serves now.</summary>
public sealed record UpstreamView(string? Url, string? Release, int InFlight, long AccessRecordsDropped);
