using Crossfade.Agent.Instances;

namespace Crossfade.Agent.Proxy;

/// <summary>The agent's hold on an app's proxy: keeps it running and tells it where to send requests.</summary>
public interface IProxyControl
{
    /// <summary>
    /// Returns a running proxy for the app: the recorded one if it answers with the runtime's ports and HTTPS
    /// settings, otherwise a new one (on the same control port).
    /// </summary>
    Task<ProxyRecord> EnsureAsync(HostLayout layout, ProxyRecord? recorded, Contracts.V1.AppRuntime runtime, CancellationToken ct);

    /// <summary>What the proxy serves now, or null when it does not answer.</summary>
    Task<UpstreamView?> ReadAsync(ProxyRecord proxy, CancellationToken ct);

    /// <summary>Sends new requests to another upstream in one step and waits, bounded, for the old one to drain.</summary>
    Task<SwapResult> SwapAsync(ProxyRecord proxy, SwapRequest request, CancellationToken ct);

    /// <summary>Sets the proxy's judged split (weight 0 ends it); null when done, otherwise why the proxy refused it.</summary>
    Task<string?> SplitAsync(ProxyRecord proxy, SplitRequest request, CancellationToken ct);
}
