using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Server.Api;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

// Queuing steps on hosts and waiting for them, including re-attaching to steps of a resumed deploy.
public sealed partial class DeployRunner
{
    private static string? FirstFailure(IReadOnlyList<(PlannedStep Step, StepResult Result)> results) =>
        results.FirstOrDefault(r => !r.Result.Succeeded) is { Step: not null } f ? $"{f.Step.Host}: {f.Step.Kind} failed: {f.Result.Message}" : null;

    /// <summary>
    /// Queues one step per host, in parallel, and waits for each to end or time out. A step this deploy
    /// queued already (same host, kind and release: a resumed deploy) is awaited, not queued again.
    /// </summary>
    private async Task<IReadOnlyList<(PlannedStep Step, StepResult Result)>> RunStepsAsync(
        long deployId, Dictionary<(string, string, string), StepRecord> existing, IReadOnlyList<PlannedStep> steps,
        Func<PlannedStep, StepPayload> payloadFor, string? kindOverride = null)
    {
        var waits = new List<Task<(PlannedStep, StepResult)>>();
        foreach (var step in steps)
        {
            var kind = kindOverride ?? step.Kind;
            var payload = payloadFor(step);
            long id;
            if (existing.TryGetValue((step.Host, kind, StepKey(payload)), out var earlier))
                id = earlier.Id;
            else
            {
                id = await store.AddStepAsync(deployId, step.Host, kind, JsonSerializer.Serialize(payload, JsonBody.Options), CancellationToken.None);
                existing[(step.Host, kind, StepKey(payload))] = (await store.GetStepAsync(id, CancellationToken.None))!;
            }
            var watch = signals.WatchStep(id);
            signals.StepQueued(step.Host);
            waits.Add(AwaitStepAsync(step with { Kind = kind }, id, watch));
        }
        return await Task.WhenAll(waits);
    }

    /// <summary>
    /// What makes a step of a deploy the same step again on resume: host, kind and release — and for a
    /// converge, whose configuration (a deploy's own, or the live one it restores).
    /// </summary>
    private static string StepKey(StepPayload payload) =>
        payload.Config is { } c ? $"{payload.Version}#config{c.SnapshotDeployId}" : payload.Version;

    private async Task<Dictionary<(string, string, string), StepRecord>> ExistingStepsAsync(long deployId)
    {
        var steps = await store.ListStepsAsync(deployId, CancellationToken.None);
        return steps
            .GroupBy(s => (s.Host, s.Kind, StepKey(JsonSerializer.Deserialize<StepPayload>(s.PayloadJson, JsonBody.Options)!)))
            .ToDictionary(g => g.Key, g => g.Last());
    }

    /// <summary>How far along the happy path a state is, for skipping passed phases on resume.</summary>
    private static int Progress(DeployState state) => state switch
    {
        DeployState.RollingBack => 100,
        _ => (int)state,
    };

    private async Task<(PlannedStep, StepResult)> AwaitStepAsync(PlannedStep step, long id, Task<StepResult> watch)
    {
        // The agent may have reported before this watch existed (a resumed deploy): the store has it then.
        if (await store.GetStepAsync(id, CancellationToken.None) is { } known && StepStatus.IsFinal(known.Status))
        {
            signals.Forget(id);
            return (step, new StepResult(known.Status == StepStatus.Succeeded, known.Message ?? ""));
        }
        var timeout = Task.Delay(options.StepTimeout, time);
        if (await Task.WhenAny(watch, timeout) == watch)
            return (step, await watch);
        signals.Forget(id);
        var message = $"no answer from {step.Host} within {options.StepTimeout.TotalSeconds:0}s";
        await store.FinishStepAsync(id, false, message, time.GetUtcNow(), CancellationToken.None);
        // The agent may have answered in the same instant; the store keeps whichever came first.
        var stored = await store.GetStepAsync(id, CancellationToken.None);
        return (step, new StepResult(stored?.Status == StepStatus.Succeeded, stored?.Message ?? message));
    }
}
