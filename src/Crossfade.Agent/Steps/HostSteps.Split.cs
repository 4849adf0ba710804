using Crossfade.Agent.Instances;
using Crossfade.Agent.Proxy;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Steps;

// The judged split: a share of this host's clients on its candidate, beside the live instance.
public sealed partial class HostSteps
{
    /// <summary>
    /// Sets the host proxy's split to the step's weight for this release's candidate, or ends it (0),
    /// waiting, bounded by the drain, for the candidate's requests in flight. The live instance never stops.
    /// </summary>
    private async Task<StepResult> SplitAsync(StepPayload p, StepLog log, CancellationToken ct)
    {
        var weight = p.SplitPercent ?? 0;
        if (weight is < 0 or > 100)
            return new StepResult(false, $"a split's weight is 0 to 100 percent, not {weight}");
        var app = state.Read(s => s.For(p.App));
        if (app.Proxy is not { } proxy || await proxies.ReadAsync(proxy, ct) is not { } view)
            return weight == 0
                ? new StepResult(true, "no proxy runs here, so no split to end")
                : new StepResult(false, $"no proxy runs for {p.App} on this host: nothing to split");
        if (weight == 0)
            return await EndSplitAsync(proxy, view, p, log, ct);
        // A host new to the environment serves nothing yet: it has no old release to compare with, and no clients to split.
        if (view.Release is null)
            return new StepResult(true, $"nothing is live on this host yet: it takes no part in the judged window");
        if (app.Candidate is not { } candidate || candidate.Version != p.Version || !processes.IsAlive(candidate.Process))
            return new StepResult(false, $"no running candidate {p.Version} to send clients to");
        var refused = await TrySplitAsync(proxy, new SplitRequest($"http://127.0.0.1:{candidate.Port}/", p.Version, weight, p.Runtime.DrainSeconds), ct);
        if (refused is not null)
            return new StepResult(false, $"the proxy on :{proxy.Port} refused the split: {refused}; {view.Release ?? "nothing"} keeps serving every client");
        log.Write($"proxy on :{proxy.Port} sends {weight}% of its clients to {p.Version} (port {candidate.Port}), the rest to {view.Release}");
        return new StepResult(true, $"{weight}% of the clients on {p.Version}, {100 - weight}% on {view.Release}");
    }

    /// <summary>Ends the proxy's split when it is this release's (another release's split is not this step's to end).</summary>
    private async Task<StepResult> EndSplitAsync(ProxyRecord proxy, UpstreamView view, StepPayload p, StepLog log, CancellationToken ct)
    {
        if (view.SplitRelease != p.Version || view.SplitWeightPercent == 0)
            return new StepResult(true, $"no split to {p.Version} on this host; every client is on {view.Release ?? "nothing"}");
        var refused = await TrySplitAsync(proxy, new SplitRequest(null, null, 0, p.Runtime.DrainSeconds), ct);
        if (refused is not null)
            return new StepResult(false, $"the proxy on :{proxy.Port} refused to end the split: {refused}");
        log.Write($"proxy on :{proxy.Port} sends every client to {view.Release} again; {p.Version}'s requests in flight finished first");
        return new StepResult(true, $"every client back on {view.Release}");
    }

    private async Task<string?> TrySplitAsync(ProxyRecord proxy, SplitRequest request, CancellationToken ct)
    {
        try
        {
            return await proxies.SplitAsync(proxy, request, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || ex is TaskCanceledException && !ct.IsCancellationRequested)
        {
            return ex.Message;
        }
    }
}
