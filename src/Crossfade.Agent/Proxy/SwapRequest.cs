namespace Crossfade.Agent.Proxy;

/// <summary>Tells the proxy to send new requests to another upstream, and how long to drain the old one.</summary>
public sealed record SwapRequest(string Url, string Release, int DrainSeconds);

/// <summary>What a swap did: the upstream it replaced, and whether that one drained in time.</summary>
public sealed record SwapResult(string? PreviousUrl, string? PreviousRelease, bool Drained, int InFlightLeft, double DrainMs);

/// <summary>What the proxy serves now, and its judged split when there is one.</summary>
public sealed record UpstreamView(
    string? Url, string? Release, int InFlight, long AccessRecordsDropped,
    string? SplitUrl = null, string? SplitRelease = null, int SplitWeightPercent = 0, int SplitInFlight = 0);

/// <summary>
/// Sends <paramref name="WeightPercent"/> of the clients to a candidate beside the live upstream (a judged
/// deploy); 0 ends the split, waiting up to <paramref name="DrainSeconds"/> for the candidate's requests.
/// </summary>
public sealed record SplitRequest(string? Url, string? Release, int WeightPercent, int DrainSeconds = 10);
