using Crossfade.Contracts.V1;

namespace Crossfade.Cli;

/// <summary>Follows a deploy until it ends, printing each phase and each host's step as it finishes.</summary>
public sealed class DeployWatcher(ApiClient api, TextWriter output)
{
    /// <summary>Whether a deploy in this state has ended.</summary>
    public static bool IsFinal(DeployState state) => state is DeployState.Succeeded or DeployState.Aborted or DeployState.RolledBack or DeployState.Mixed or DeployState.Failed;

    public static bool IsSuccess(DeployView deploy) => deploy.State == DeployState.Succeeded;

    public async Task<DeployView> WatchAsync(DeployView started, CancellationToken ct)
    {
        output.WriteLine($"{Title(started)}, requested by {started.RequestedBy}");
        var seenPhases = new HashSet<DeployState>();
        var seenSteps = new HashSet<long>();
        var deploy = started;
        var saidQueued = false;
        var saidCanary = false;
        while (true)
        {
            var final = IsFinal(deploy.State);
            if (deploy.State == DeployState.Canary && !saidCanary)
            {
                var canaries = deploy.Steps.Where(s => s.Kind == StepKind.Activate && s.Status == StepStatus.Succeeded).Select(s => s.Host);
                output.WriteLine($"  canary: {string.Join(", ", canaries)} serve {deploy.Version}, the others {deploy.FromVersion}; 'crossfade promote' switches the rest, 'crossfade abort' returns the canaries");
                saidCanary = true;
            }
            if (deploy.State == DeployState.Queued && deploy.Phases.Count == 0 && !saidQueued && (DateTimeOffset.UtcNow - deploy.CreatedAt).TotalSeconds > 1)
            {
                output.WriteLine("  queued: waiting for the deploy ahead of it to end");
                saidQueued = true;
            }
            foreach (var phase in deploy.Phases)
            {
                // A phase is printed with its steps once it has ended, so each step shows under the phase it belongs to.
                if (phase.EndedAt is null && !final)
                    break;
                if (!seenPhases.Add(phase.Name))
                    continue;
                output.WriteLine($"  {phase.Name,-12} {Seconds(phase.StartedAt, phase.EndedAt ?? deploy.FinishedAt)}");
                // The checks a judged window repeats are folded into a line per host.
                foreach (var line in VerdictPrinter.Steps(deploy.Steps.Where(s => InPhase(s, phase) && seenSteps.Add(s.Id)).ToList(), StepLines))
                    output.Write(line);
                foreach (var verdict in (deploy.Verdicts ?? []).Where(v => v.Phase == phase.Name && v.Final))
                    VerdictPrinter.PrintOne(deploy.Id, verdict, output, "    judge ");
            }
            if (final)
                break;
            await Task.Delay(250, ct);
            deploy = await api.GetDeployAsync(started.Id, ct);
        }
        output.WriteLine($"{deploy.State} in {Seconds(deploy.CreatedAt, deploy.FinishedAt)}" + (deploy.Reason is null ? "" : $": {deploy.Reason}"));
        return deploy;
    }

    /// <summary>A step's line, and under it the report of a converge.</summary>
    public static string StepLines(StepView step)
    {
        using var text = new StringWriter();
        text.WriteLine($"    {step.Host,-10} {WireNames.Of(step.Kind),-8} {(step.Status == StepStatus.Succeeded ? "ok    " : step.Status == StepStatus.Failed ? "FAILED" : WireNames.Of(step.Status)),-6} {Seconds(step.StartedAt, step.EndedAt),6}  {step.Message}");
        if (step.Converge is { } report)
            ConvergeReportPrinter.Print(report, text, "      ");
        return text.ToString();
    }

    private static bool InPhase(StepView step, PhaseView phase) =>
        step.StartedAt is { } at ? at >= phase.StartedAt && (phase.EndedAt is null || at <= phase.EndedAt) : phase.EndedAt is null;

    public static string Title(DeployView d) => d.Kind switch
    {
        DeployKind.Rollback => $"rollback #{d.Id}: {d.App} {d.Environment} back to {d.Version} (from {d.FromVersion ?? "-"})",
        DeployKind.Converge => $"converge #{d.Id}: {d.App} {d.Environment}, configuration of {d.Version}",
        DeployKind.WhyRun => $"why-run #{d.Id}: {d.App} {d.Environment}, configuration of {d.Version} (nothing will be changed)",
        _ => $"deploy #{d.Id}: {d.App} {d.Version} to {d.Environment} (from {d.FromVersion ?? "nothing"})",
    };

    public static string Seconds(DateTimeOffset? from, DateTimeOffset? to) =>
        from is { } f && to is { } t ? $"{(t - f).TotalSeconds:0.0}s" : "-";
}
