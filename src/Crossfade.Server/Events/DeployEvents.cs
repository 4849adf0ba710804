using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Events;

/// <summary>What a deploy says on the timeline: it started, waits, changes phase, converged a host, ended.</summary>
public sealed class DeployEvents(Timeline timeline, TimeProvider time)
{
    private static string Noun(DeployRecord d) => d.Kind switch
    {
        DeployKind.Rollback => $"rollback to {d.Version}",
        DeployKind.Converge => $"converge of {d.Version}'s configuration",
        DeployKind.WhyRun => $"why-run of {d.Version}'s configuration",
        _ => $"deploy of {d.Version}",
    };

    public Task MovedAsync(DeployRecord d, DeployState from, DeployState to, string? reason)
    {
        var header = $"{d.App} {Noun(d)} to {d.Environment} (#{d.Id})";
        if (from == DeployState.Queued)
            return PublishAsync(Timeline.About(d, EventKinds.DeployStarted, $"{header} started by {d.RequestedBy}",
                $"from {d.FromVersion ?? "nothing"}, via {d.Trigger}", AlertTypes.Info));
        if (!DeployTransitions.IsTerminal(to))
            return PublishAsync(Timeline.About(d, EventKinds.DeployPhase, $"{header}: {to}", reason ?? $"after {from}",
                to == DeployState.RollingBack ? AlertTypes.Warning : AlertTypes.Info));
        var took = (time.GetUtcNow() - d.CreatedAt).TotalSeconds;
        var (verb, alert) = to switch
        {
            DeployState.Succeeded => ("succeeded", AlertTypes.Success),
            DeployState.RolledBack => ("was rolled back", AlertTypes.Error),
            DeployState.Mixed => ("left the fleet mixed", AlertTypes.Error),
            DeployState.Aborted => ("was aborted", AlertTypes.Error),
            _ => ("failed", AlertTypes.Error),
        };
        return PublishAsync(Timeline.About(d, EventKinds.DeployEnded, $"{header} {verb} in {took:0.0}s", reason ?? "", alert));
    }

    public Task QueuedAsync(DeployRecord d, DeployRecord ahead) =>
        PublishAsync(Timeline.About(d, EventKinds.DeployQueued, $"{d.App} {Noun(d)} to {d.Environment} (#{d.Id}) waits for #{ahead.Id}",
            $"#{ahead.Id} ({WireNames.Of(ahead.Kind)} {ahead.Version}) was started by {ahead.RequestedBy} at {ahead.CreatedAt:u}", AlertTypes.Info));

    /// <summary>One event per host: "web-2: 2 of 9 resources changed", with what changed or failed.</summary>
    public async Task ConvergedAsync(DeployRecord d, IEnumerable<(string Host, StepResult Result)> results)
    {
        foreach (var (host, result) in results)
        {
            var report = result.Converge;
            var lines = report?.Resources.Where(r => r.Status is ResourceStatus.Changed or ResourceStatus.Failed)
                .Select(r => $"{r.Status} {r.Id}{(r.Detail is null ? "" : $": {r.Detail}")}") ?? [];
            var alert = !result.Succeeded ? AlertTypes.Error : report?.Changed > 0 ? AlertTypes.Info : AlertTypes.Success;
            await PublishAsync(Timeline.About(d, EventKinds.Converge, $"{d.App} {d.Environment} {report?.Summary ?? $"{host}: {result.Message}"}",
                string.Join("\n", lines.DefaultIfEmpty(result.Message)), alert, host));
        }
    }

    /// <summary>
    /// A verdict of the judge: what it found and did (or would have), with the checks behind it — the
    /// failing ones when it failed, all of them otherwise.
    /// </summary>
    public Task JudgedAsync(DeployRecord d, DeployState phase, JudgeOutcome outcome, string action, bool final, string summary, IReadOnlyList<JudgeCheckView> checks)
    {
        var window = phase == DeployState.Judging ? "judged window" : "bake window";
        var title = $"{d.App} deploy of {d.Version} to {d.Environment} (#{d.Id}): the judge {Said(outcome, final)} in the {window}; {action}";
        var shown = outcome == JudgeOutcome.Fail ? checks.Where(c => c.Outcome == JudgeOutcome.Fail) : checks;
        var text = string.Join("\n", shown.Select(c => c.Sentence).Prepend(summary));
        var alert = outcome switch
        {
            JudgeOutcome.Fail => AlertTypes.Error,
            JudgeOutcome.Pass => AlertTypes.Success,
            _ => final ? AlertTypes.Warning : AlertTypes.Info,
        };
        return PublishAsync(Timeline.About(d, EventKinds.DeployJudged, title, text, alert));
    }

    /// <summary>A judged window opens at a quiet time: too few requests are likely for a verdict.</summary>
    public Task QuietAsync(DeployRecord d, string warning) =>
        PublishAsync(Timeline.About(d, EventKinds.DeployJudged, $"{d.App} deploy of {d.Version} to {d.Environment} (#{d.Id}): little traffic to judge on",
            warning, AlertTypes.Warning));

    private static string Said(JudgeOutcome outcome, bool final) => outcome switch
    {
        JudgeOutcome.Fail => "fails it",
        JudgeOutcome.Pass => "passes it",
        _ => final ? "could not tell" : "cannot tell yet",
    };

    private async Task PublishAsync(EventRecord e) => await timeline.PublishAsync(e, CancellationToken.None);
}
