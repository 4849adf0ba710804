using System.Collections.Concurrent;

namespace Crossfade.Server.Agents;

/// <summary>
/// Wakes a host's long poll when a step is queued for it, and wakes a running deploy when something
/// reaches it: one of its steps ended, or a request (promote, rollback) was stored. The store holds the
/// truth; these signals only shorten the wait, so a waiter also reads the store every so often, which is
/// how news written through another server process arrives.
/// </summary>
public sealed class WorkSignals(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _hosts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _deploys = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _watchers = new();

    public void StepQueued(string host) => Raise(_hosts.GetOrAdd(host, _ => new SemaphoreSlim(0, 1)));

    /// <summary>Waits until a step is queued for the host or <paramref name="wait"/> passes on the injected clock.</summary>
    public Task WaitForWorkAsync(string host, TimeSpan wait, CancellationToken ct) =>
        WaitAsync(_hosts.GetOrAdd(host, _ => new SemaphoreSlim(0, 1)), wait, ct);

    /// <summary>Says that something of the deploy changed in the store (a step ended, a request came).</summary>
    public void DeployChanged(long deployId)
    {
        Touched(deployId);
        if (_deploys.TryGetValue(deployId, out var signal))
            Raise(signal);
    }

    /// <summary>
    /// Waits until the deploy changes or <paramref name="max"/> passes on the injected clock. A change
    /// since the last wait returns at once, so one that lands between a read of the store and this call
    /// is never lost.
    /// </summary>
    public Task WaitForDeployAsync(long deployId, TimeSpan max, CancellationToken ct) =>
        WaitAsync(_deploys.GetOrAdd(deployId, _ => new SemaphoreSlim(0, 1)), max, ct);

    private async Task WaitAsync(SemaphoreSlim signal, TimeSpan max, CancellationToken ct)
    {
        if (max <= TimeSpan.Zero)
            return;
        // Whichever loses is cancelled: a waiter that lost to the delay never takes a wake-up meant for the
        // next turn, and a delay that lost leaves no timer behind.
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var woken = signal.WaitAsync(lost.Token);
        await Task.WhenAny(woken, Task.Delay(max, time, lost.Token));
        await lost.CancelAsync();
        await woken.ContinueWith(_ => { }, TaskScheduler.Default);
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Says that a deploy moved in a way its run need not hear of (a step taken, output appended), or
    /// did (through <see cref="DeployChanged"/>): whoever watches that deploy (a live page) is woken.
    /// </summary>
    public void Touched(long deployId)
    {
        if (_watchers.TryRemove(deployId, out var woken))
            woken.TrySetResult();
    }

    /// <summary>Completes at the next change of the deploy in this process (a watcher then reads the store).</summary>
    public Task NextTouchAsync(long deployId) =>
        _watchers.GetOrAdd(deployId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>A watcher stopped: nothing waits for the deploy's changes here any more (the next watcher adds itself again).</summary>
    public void StopWatching(long deployId) => _watchers.TryRemove(deployId, out _);

    /// <summary>Starts listening for a deploy's changes before its first read of the store.</summary>
    public void Watch(long deployId) => _deploys.GetOrAdd(deployId, _ => new SemaphoreSlim(0, 1));

    /// <summary>The deploy ended or left this process: nothing waits for it here any more.</summary>
    public void Forget(long deployId) => _deploys.TryRemove(deployId, out _);

    private static void Raise(SemaphoreSlim signal)
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already raised: the waiter will read the store and find everything that changed.
        }
    }
}
