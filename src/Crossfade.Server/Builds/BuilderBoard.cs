using System.Collections.Concurrent;
using Crossfade.Contracts.V1;

namespace Crossfade.Server.Builds;

/// <summary>
/// The builds handed to builder hosts and not yet ended, in this server process: what each host may take,
/// the log its output goes to, the archive it sent, and the result its runner waits for. A build is offered
/// to one host, taken once, and withdrawn when its runner stops waiting (ended, timed out, or the server
/// stopping); a host's calls about a withdrawn build or another host's are refused.
/// </summary>
public sealed class BuilderBoard(TimeProvider time)
{
    private readonly ConcurrentDictionary<long, HandedBuild> _builds = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _offers = new(StringComparer.Ordinal);

    /// <summary>Offers the build to the host and wakes the host's wait for one.</summary>
    public HandedBuild Offer(string host, BuildWork work, BuildLog log)
    {
        var handed = new HandedBuild(host, work, log, time.GetUtcNow());
        _builds[work.BuildId] = handed;
        var signal = _offers.GetOrAdd(host, _ => new SemaphoreSlim(0, 1));
        if (signal.CurrentCount == 0)
        {
            try
            {
                signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Raised already: the host's next look finds every offer.
            }
        }
        return handed;
    }

    /// <summary>The oldest build offered to the host and not yet taken, now taken; none when there is none.</summary>
    public BuildWork? Take(string host)
    {
        foreach (var handed in _builds.Values.Where(b => b.Host == host).OrderBy(b => b.Work.BuildId))
        {
            if (handed.TryTake(time.GetUtcNow()))
                return handed.Work;
        }
        return null;
    }

    /// <summary>Waits until a build is offered to the host, or <paramref name="wait"/> passes on the injected clock.</summary>
    public async Task WaitForOfferAsync(string host, TimeSpan wait, CancellationToken ct)
    {
        var signal = _offers.GetOrAdd(host, _ => new SemaphoreSlim(0, 1));
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var offered = signal.WaitAsync(lost.Token);
        await Task.WhenAny(offered, Task.Delay(wait, time, lost.Token));
        await lost.CancelAsync();
        await offered.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>The build, when it is handed to this host and still waited for.</summary>
    public HandedBuild? Of(long buildId, string host) =>
        _builds.TryGetValue(buildId, out var handed) && handed.Host == host && handed.Taken ? handed : null;

    /// <summary>How many builds the host holds now (offered or taken).</summary>
    public int HeldBy(string host) => _builds.Values.Count(b => b.Host == host);

    public void Withdraw(long buildId) => _builds.TryRemove(buildId, out _);
}
