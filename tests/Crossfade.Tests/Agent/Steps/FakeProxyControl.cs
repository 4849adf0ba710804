using Crossfade.Agent;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Proxy;

namespace Crossfade.Tests.Agent.Steps;

/// <summary>A proxy in memory: remembers what it serves and every swap it was told to make.</summary>
internal sealed class FakeProxyControl(FakeProcesses processes, List<string> journal) : IProxyControl
{
    public const int ControlPort = 9100;

    public List<SwapRequest> Swaps { get; } = [];
    public string? ServedUrl { get; private set; }
    public string? ServedRelease { get; private set; }

    /// <summary>When set, the proxy's control endpoint answers every swap with an error, as a proxy that refuses it would.</summary>
    public bool RefuseSwaps { get; set; }

    public Task<ProxyRecord> EnsureAsync(HostLayout layout, ProxyRecord? recorded, Crossfade.Contracts.V1.AppRuntime runtime, CancellationToken ct) =>
        Task.FromResult(recorded is not null && processes.IsAlive(recorded.Process) ? recorded : new ProxyRecord(processes.Spawn(), runtime.ProxyPort, ControlPort));

    /// <summary>The judged split it serves: the candidate's URL and release, and its weight (0: none).</summary>
    public (string? Url, string? Release, int Weight) Split { get; private set; }

    /// <summary>When set, the proxy refuses every split with this reason, as a proxy with nothing live would.</summary>
    public string? RefuseSplits { get; set; }

    public Task<UpstreamView?> ReadAsync(ProxyRecord proxy, CancellationToken ct) =>
        Task.FromResult<UpstreamView?>(new UpstreamView(ServedUrl, ServedRelease, 0, 0, Split.Url, Split.Release, Split.Weight));

    public Task<string?> SplitAsync(ProxyRecord proxy, SplitRequest request, CancellationToken ct)
    {
        if (RefuseSplits is { } reason)
        {
            journal.Add($"split {request.Release} refused");
            return Task.FromResult<string?>(reason);
        }
        journal.Add(request.WeightPercent == 0 ? "split ended" : $"split {request.Release} {request.WeightPercent}%");
        Split = request.WeightPercent == 0 ? (null, null, 0) : (request.Url, request.Release, request.WeightPercent);
        return Task.FromResult<string?>(null);
    }

    public Task<SwapResult> SwapAsync(ProxyRecord proxy, SwapRequest request, CancellationToken ct)
    {
        if (RefuseSwaps)
        {
            journal.Add($"swap {request.Release} refused");
            throw new HttpRequestException("Response status code does not indicate success: 400 (Bad Request).");
        }
        var result = new SwapResult(ServedUrl, ServedRelease, true, 0, 3);
        Swaps.Add(request);
        journal.Add($"swap {request.Release}");
        (ServedUrl, ServedRelease) = (request.Url, request.Release);
        // A swap ends any split, as the real proxy's does.
        Split = (null, null, 0);
        return Task.FromResult(result);
    }
}
