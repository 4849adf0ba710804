using Crossfade.Agent.Converge;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Proxy;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Steps;

// Converging the app's configuration on this host, and the graceful reload a changed resource can ask for.
public sealed partial class HostSteps
{
    private async Task<StepResult> ConvergeAsync(WorkItem work, StepLog log, CancellationToken ct)
    {
        if (work.Converge is not { } plan)
            return new StepResult(false, "the server sent a converge step without its plan");
        var p = work.Payload;
        var layout = Layout(p);
        // Learned before anything runs: an instance reloaded with a new key may log it at once.
        masks.Remember(p.App, plan.Redact);
        var env = launcher.Environment(layout, p.App, p.Version, p.Runtime, null);
        log.Write(plan.WhyRun ? $"why-run: {plan.Resources.Count} resources, nothing will be changed" : $"converging {plan.Resources.Count} resources in {layout.Config}");
        var report = await Converger.RunAsync(options.Name, plan, layout.Config, env, log, c => ReloadAsync(p, log, c), ct, masks.For(p.App), time);
        if (report.Resources.FirstOrDefault(r => r.Status == ResourceStatus.Failed) is { } failure)
            return new StepResult(false, $"{failure.Id} failed: {failure.Detail}; {report.Summary}", report);
        return new StepResult(true, report.Summary, report);
    }

    /// <summary>
    /// A configuration change outside a deploy: the live release starts again with the new configuration,
    /// through the same path as a cutover (new instance, healthy, swap, drain), so no request drops.
    /// </summary>
    private async Task<string?> ReloadAsync(StepPayload p, StepLog log, CancellationToken ct)
    {
        var layout = Layout(p);
        var app = state.Read(s => s.For(p.App));
        var runtime = app.Runtime ?? p.Runtime;
        if (app.Live is { } live && processes.IsAlive(live.Process) && app.Proxy is { } proxy)
        {
            var fresh = launcher.StartWeb(layout, p.App, live.Version, runtime, ports.Next());
            log.Write($"reload: started {live.Version} again (pid {fresh.Process.Pid}) on port {fresh.Port}");
            if (await launcher.WaitHealthyAsync(fresh, runtime, log, ct) is { } unhealthy)
            {
                await processes.StopAsync(fresh.Process, TimeSpan.FromSeconds(5));
                return $"the app did not come up healthy with the new configuration: {unhealthy}; the running instance keeps serving";
            }
            var swap = await proxies.SwapAsync(proxy, new SwapRequest($"http://127.0.0.1:{fresh.Port}/", live.Version, runtime.DrainSeconds), ct);
            state.Update(s => s.For(p.App).Live = fresh);
            log.Write($"reload: proxy switched to the new instance; the old one drained in {swap.DrainMs:0}ms");
            await processes.StopAsync(live.Process, TimeSpan.FromSeconds(Math.Max(5, runtime.DrainSeconds)));
        }
        if (app.Worker is { } worker && processes.IsAlive(worker.Process) && runtime.Worker is not null)
        {
            await processes.StopAsync(worker.Process, TimeSpan.FromSeconds(runtime.DrainSeconds));
            var next = launcher.StartWorker(layout, p.App, worker.Version, runtime);
            state.Update(s => s.For(p.App).Worker = next);
            log.Write($"reload: worker {worker.Version} restarted (pid {next.Process.Pid})");
        }
        return null;
    }
}
