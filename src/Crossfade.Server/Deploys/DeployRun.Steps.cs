using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Server.Api;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

// Queuing steps on hosts and waiting for their results, which are read from the store.
public sealed partial class DeployRun
{
    private static string? FirstFailure(IReadOnlyList<(PlannedStep Step, StepResult Result)> results) =>
        results.FirstOrDefault(r => !r.Result.Succeeded) is { Step: not null } f ? $"{f.Step.Host}: {WireNames.Of(f.Step.Kind)} failed: {f.Result.Message}" : null;

    /// <summary>
    /// Queues one step per host (of <paramref name="kind"/>, or the planned step's own kind) for a release,
    /// all at once, and waits for each to end or time out. A step queued before (a resumed deploy) is
    /// awaited, not queued again.
    /// </summary>
    private async Task<IReadOnlyList<(PlannedStep Step, StepResult Result)>> RunStepsAsync(
        IReadOnlyList<PlannedStep> steps, ReleaseRecord release, StepKind? kind = null, ConfigRef? config = null,
        int? splitPercent = null, int? look = null, TimeSpan? timeout = null)
    {
        var queued = new List<(PlannedStep Step, long Id)>();
        foreach (var planned in steps)
        {
            var step = planned with { Kind = kind ?? planned.Kind };
            var payload = PayloadFor(step, release.Version, release.Sha256) with { Config = config, SplitPercent = splitPercent, Look = look };
            if (!_steps.TryGet(step.Host, step.Kind, payload, out var id))
            {
                id = await _s.Store.AddStepAsync(_deploy.Id, step.Host, step.Kind, JsonSerializer.Serialize(payload, JsonBody.Options), CancellationToken.None);
                _steps.Add(step.Host, step.Kind, payload, id);
            }
            _s.Signals.StepQueued(step.Host);
            queued.Add((step, id));
        }
        return await AwaitStepsAsync(queued, timeout);
    }

    /// <summary>
    /// Waits until every step has ended, reading the store each time one of this deploy's steps ends (and
    /// every second, for a result that came through another server process). A step with no answer by its
    /// deadline fails; the store keeps the agent's answer if it came in the same instant.
    /// </summary>
    private async Task<IReadOnlyList<(PlannedStep Step, StepResult Result)>> AwaitStepsAsync(IReadOnlyList<(PlannedStep Step, long Id)> queued, TimeSpan? timeout)
    {
        TimeSpan LimitOf(PlannedStep step) => timeout ?? TimeoutOf(step);
        var ct = CancellationToken.None;
        var started = _s.Time.GetUtcNow();
        while (true)
        {
            var records = (await _s.Store.GetStepsAsync(queued.Select(q => q.Id).ToList(), ct)).ToDictionary(s => s.Id);
            var open = queued.Where(q => !records[q.Id].Status.IsFinal()).ToList();
            if (open.Count == 0)
                return queued.Select(q => (q.Step, ResultOf(records[q.Id]))).ToList();
            var now = _s.Time.GetUtcNow();
            var late = open.Where(q => now - started >= LimitOf(q.Step)).ToList();
            foreach (var (step, id) in late)
                await _s.Store.FinishStepAsync(id, false, $"{CheckMessages.NoAnswer} {step.Host} within {LimitOf(step).TotalSeconds:0}s", now, ct);
            if (late.Count > 0)
                continue;
            var next = open.Min(q => started + LimitOf(q.Step)) - now;
            await _s.Signals.WaitForDeployAsync(_deploy.Id, next < TimeSpan.FromSeconds(1) ? next : TimeSpan.FromSeconds(1), ct);
        }
    }

    private TimeSpan TimeoutOf(PlannedStep step) => step.Kind == StepKind.Migrate ? _s.Options.MigrationTimeout : _s.Options.StepTimeout;

    private static StepResult ResultOf(StepRecord step) => new(
        step.Status == StepStatus.Succeeded,
        step.Message ?? "",
        step.ReportJson is null ? null : JsonSerializer.Deserialize<ConvergeReport>(step.ReportJson, JsonBody.Options));
}
