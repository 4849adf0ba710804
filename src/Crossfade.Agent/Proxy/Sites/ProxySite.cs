namespace Crossfade.Agent.Proxy.Sites;

/// <summary>
/// One app behind the proxy's port: the host names routed to it (none: the catch-all site, which takes every
/// request no other site claims), its live upstream and split, the file they are kept in, and its access log.
/// Swaps and splits of a site are serialized by its own lock; sites never wait for each other.
/// </summary>
public sealed class ProxySite(string name, IReadOnlyList<string> hosts, string? stateFile, AccessLogWriter accessLog, UpstreamTable? table = null, SemaphoreSlim? swapLock = null)
{
    /// <summary>The catch-all site's name (the proxy's own <c>--state</c> and <c>--access-log</c>).</summary>
    public const string Default = "";

    public string Name { get; } = name;

    public IReadOnlyList<string> Hosts { get; } = hosts;

    public string? StateFile { get; } = stateFile;

    public AccessLogWriter AccessLog { get; } = accessLog;

    public UpstreamTable Table { get; } = table ?? new();

    public SemaphoreSlim SwapLock { get; } = swapLock ?? new(1, 1);

    private volatile Tls.HttpsPolicy _https = Tls.HttpsPolicy.None;

    /// <summary>Whether its plain requests are sent to HTTPS, and the HSTS its HTTPS answers carry; changed in place.</summary>
    public Tls.HttpsPolicy Https { get => _https; set => _https = value; }

    /// <summary>The same site (its upstream, split, lock, log and HTTPS policy) routed for other host names.</summary>
    public ProxySite WithHosts(IReadOnlyList<string> hosts) => new(Name, hosts, StateFile, AccessLog, Table, SwapLock) { Https = Https };

    /// <summary>Serves again what <see cref="StateFile"/> says was served (a restarted proxy, a site registered again).</summary>
    public ProxySite Restore(TimeSpan connectTimeout)
    {
        var state = ProxyState.Load(StateFile);
        if (state.Url is not null)
            Table.Swap(new UpstreamSnapshot(new Uri(state.Url), state.Release ?? "-", connectTimeout));
        if (state is { SplitUrl: { } splitUrl, SplitRelease: { } splitRelease, SplitWeightPercent: > 0 and <= 100, SplitKey: { } splitKey })
            Table.SetSplit(new SplitRoute(new UpstreamSnapshot(new Uri(splitUrl), splitRelease, connectTimeout), state.SplitWeightPercent, Convert.FromBase64String(splitKey)));
        return this;
    }
}
