using Crossfade.Core.Config;
using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Converge;

/// <summary>
/// Converges one host: every resource in order is tested and, unless why-run, repaired; the first
/// failure stops the run. Then what changed resources notified runs once each, in the order notified:
/// named commands, and the app's reload. Why-run takes exactly the same decisions and changes nothing.
/// </summary>
public static class Converger
{
    /// <summary>Converges the plan; <paramref name="reload"/> reloads the app through the zero-downtime path and returns why it failed, or null.</summary>
    public static async Task<ConvergeReport> RunAsync(
        string host, ConvergePlan plan, string configDir, IReadOnlyDictionary<string, string> environment, StepLog log,
        Func<CancellationToken, Task<string?>> reload, CancellationToken ct, Redactor? masks = null, TimeProvider? time = null)
    {
        // The host's masks hold the plan's values and the ones rotated out before them.
        var redactor = masks ?? new Redactor(plan.Redact);
        log.Redact(redactor);
        using var shadow = plan.WhyRun ? ShadowFolder.Of(configDir) : null;
        if (shadow is null)
            Directory.CreateDirectory(configDir);
        var workDir = shadow?.Path ?? configDir;
        var env = new Dictionary<string, string>(environment) { ["CROSSFADE_CONFIG"] = workDir };
        var ctx = new ConvergeContext(configDir, workDir, plan.WhyRun, log, redactor, env, time ?? TimeProvider.System);
        var reports = new List<ResourceReport>();
        var notified = new List<(string Target, string By)>();
        var failed = false;
        foreach (var resource in plan.Resources)
        {
            if (failed)
            {
                reports.Add(new ResourceReport(resource.Id, ResourceStatus.Skipped, "not reached: an earlier resource failed"));
                continue;
            }
            var report = await ConvergeOneAsync(resource, ctx, null, ct);
            reports.Add(report);
            log.Write($"{resource.Id}: {report.Status}{(report.Detail is null ? "" : $" ({report.Detail})")}");
            failed = report.Status == ResourceStatus.Failed;
            if (report.Status == ResourceStatus.Changed)
                foreach (var target in resource.Notifies ?? [])
                    if (!notified.Any(n => n.Target == target))
                        notified.Add((target, resource.Id));
        }
        if (!failed)
            await RunNotificationsAsync(plan, ctx, reports, notified, reload, ct);
        return new ConvergeReport(host, plan.WhyRun, reports, failed ? [] : notified.Select(n => n.Target).ToList());
    }

    private static async Task RunNotificationsAsync(
        ConvergePlan plan, ConvergeContext ctx, List<ResourceReport> reports, List<(string Target, string By)> notified,
        Func<CancellationToken, Task<string?>> reload, CancellationToken ct)
    {
        foreach (var (target, by) in notified)
        {
            if (target.StartsWith("command:", StringComparison.Ordinal))
            {
                var index = plan.Resources.ToList().FindIndex(r => r.Type == ResourceTypes.Command && "command:" + r.Path == target);
                // Once per converge: a command that already ran in this converge does not run again.
                if (index < 0 || reports[index].Status is ResourceStatus.Changed or ResourceStatus.Failed)
                    continue;
                var report = await CommandResource.ConvergeAsync(plan.Resources[index], ctx, by, ct);
                reports[index] = report;
                ctx.Log.Write($"{report.Id}: {report.Status} ({report.Detail})");
                if (report.Status == ResourceStatus.Failed)
                    return;
            }
            else if (target == "reload")
            {
                if (ctx.WhyRun)
                    ctx.Log.Write($"would reload the app (notified by {by})");
                else if (plan.ReloadMode == ReloadModes.ByCutover)
                    ctx.Log.Write($"reload notified by {by}: the cutover starts the new instances with this configuration");
                else if (await reload(ct) is { } error)
                {
                    reports.Add(new ResourceReport("reload", ResourceStatus.Failed, error));
                    return;
                }
                else
                    ctx.Log.Write($"reloaded the app (notified by {by})");
            }
        }
    }

    private static async Task<ResourceReport> ConvergeOneAsync(ConvergeResource r, ConvergeContext ctx, string? notifiedBy, CancellationToken ct)
    {
        try
        {
            return r.Type switch
            {
                ResourceTypes.File => FileResource.Converge(r, ctx),
                ResourceTypes.Directory => DirectoryResource.Converge(r, ctx),
                ResourceTypes.Link => LinkResource.Converge(r, ctx),
                ResourceTypes.Command => await CommandResource.ConvergeAsync(r, ctx, notifiedBy, ct),
                _ => new ResourceReport(r.Id, ResourceStatus.Failed, $"this agent does not know the resource type '{r.Type}'"),
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The host said no (a read-only disk, no permission, no space): a result to report, with the reason.
            return new ResourceReport(r.Id, ResourceStatus.Failed, ctx.Redactor.Apply(ex.Message));
        }
    }
}
