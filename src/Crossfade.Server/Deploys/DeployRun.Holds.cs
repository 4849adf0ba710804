using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

// Holding a phase (a canary, a bake window) until its time is up or a stored request answers it.
public sealed partial class DeployRun
{
    /// <summary>What ended a hold: who asked for a rollback, or a promote, or neither (its time was up).</summary>
    private sealed record HoldAnswer(string? RollbackBy, bool Promoted);

    /// <summary>
    /// Waits until <paramref name="until"/> or a stored request: a rollback, or — when <paramref name="promotable"/>
    /// — a promote. Requests are read from the store, so one made through any server process, or before a
    /// restart, is honoured.
    /// </summary>
    private async Task<HoldAnswer> HoldAsync(DeployState phase, DateTimeOffset until, bool promotable)
    {
        var ct = CancellationToken.None;
        for (var closed = false; ; )
        {
            var requests = await _s.Store.ListDeployRequestsAsync(_deploy.Id, ct);
            var answer = requests.TryGetValue(DeployRequestKind.Rollback, out var by) ? new HoldAnswer(by, false)
                : promotable && requests.ContainsKey(DeployRequestKind.Promote) ? new HoldAnswer(null, true)
                : closed ? new HoldAnswer(null, false)
                : null;
            if (answer is not null)
            {
                // Answered: a request that comes now is refused (409), not accepted and left for a later phase to find.
                await _s.Store.CloseHoldAsync(_deploy.Id, phase, _s.Time.GetUtcNow(), ct);
                return answer;
            }
            var left = until - _s.Time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                // Closed first, then read once more: a request that came before the close is honoured,
                // one after it is refused (409) instead of accepted and never read.
                await _s.Store.CloseHoldAsync(_deploy.Id, phase, _s.Time.GetUtcNow(), ct);
                closed = true;
                continue;
            }
            await _s.Signals.WaitForDeployAsync(_deploy.Id, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), ct);
        }
    }

    private async Task<DateTimeOffset> PhaseStartAsync(DeployState phase) =>
        (await _s.Store.ListPhasesAsync(_deploy.Id, CancellationToken.None)).LastOrDefault(p => p.Name == phase)?.StartedAt ?? _s.Time.GetUtcNow();
}
