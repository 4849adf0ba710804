namespace Crossfade.Agent.Proxy;

/// <summary>
/// A judged split: <see cref="WeightPercent"/> of the clients go to <see cref="Candidate"/>, the others
/// to the live upstream, both instances on this host. Never changes once built; a new weight is a new
/// split, swapped in whole.
/// </summary>
public sealed class SplitRoute(UpstreamSnapshot candidate, int weightPercent)
{
    /// <summary>The cookie that keeps a client on its side: <c>&lt;candidate release&gt;~c</c> or <c>~b</c> (the baseline).</summary>
    public const string Cookie = "crossfade-split";

    public UpstreamSnapshot Candidate { get; } = candidate;

    public int WeightPercent { get; } = weightPercent;
}
