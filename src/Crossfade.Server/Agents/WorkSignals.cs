using System.Collections.Concurrent;
using Crossfade.Contracts.V1;

namespace Crossfade.Server.Agents;

/// <summary>
/// Wakes a host's long poll when a step is queued for it, and wakes the orchestrator when a step ends.
/// The store holds the truth; these signals only shorten the wait.
/// </summary>
public sealed class WorkSignals
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _hosts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<StepResult>> _steps = new();

    public void StepQueued(string host)
    {
        var signal = _hosts.GetOrAdd(host, _ => new SemaphoreSlim(0, 1));
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the poll will look at the store and find every pending step.
        }
    }

    public Task WaitForWorkAsync(string host, TimeSpan wait, CancellationToken ct) =>
        _hosts.GetOrAdd(host, _ => new SemaphoreSlim(0, 1)).WaitAsync(wait, ct);

    public Task<StepResult> WatchStep(long stepId) =>
        _steps.GetOrAdd(stepId, _ => new TaskCompletionSource<StepResult>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void StepEnded(long stepId, StepResult result)
    {
        if (_steps.TryRemove(stepId, out var tcs))
            tcs.TrySetResult(result);
    }

    public void Forget(long stepId) => _steps.TryRemove(stepId, out _);
}
