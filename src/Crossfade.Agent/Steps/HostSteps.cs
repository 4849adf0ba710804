using Crossfade.Agent.Checks;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Proxy;
using Crossfade.Agent.Releases;
using Crossfade.Contracts.V1;
using Crossfade.Core.Naming;

namespace Crossfade.Agent.Steps;

/// <summary>
/// The steps a host runs for a deploy. Each returns a result with a reason instead of throwing, and
/// each is safe to run again: a step that finds its work done says so.
/// </summary>
public sealed partial class HostSteps(
    AgentOptions options, HostStateStore state, ReleaseStager stager, IInstanceLauncher launcher, IProxyControl proxies, IProcesses processes,
    IPorts ports, ICriticalPaths checks, IWarmUp warmUp, Secrets.SecretMasks masks, TimeProvider time)
{
    public async Task<StepResult> RunAsync(WorkItem work, StepLog log, CancellationToken ct) => NameProblem(work.Payload) is { } refused
        ? new StepResult(false, refused)
        : !WireNames.TryParse<StepKind>(work.Kind, out var kind)
        ? new StepResult(false, $"this agent does not know the step '{work.Kind}'")
        : kind switch
    {
        StepKind.Prepare => await PrepareAsync(work.Payload, log, ct),
        StepKind.Migrate => await MigrateAsync(work, log, ct),
        StepKind.Activate => await ActivateAsync(work.Payload, log, ct),
        StepKind.Discard => await DiscardAsync(work.Payload, log, ct),
        StepKind.Check => await CheckCandidateAsync(work.Payload, log, ct),
        StepKind.Finalize => await FinalizeAsync(work.Payload, log),
        StepKind.Converge => await ConvergeAsync(work, log, ct),
        StepKind.Split => await SplitAsync(work.Payload, log, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(work), kind, "a step kind with no step"),
    };

    private HostLayout Layout(StepPayload p) => new(options.Root, p.App);

    /// <summary>The app and the version become folder names here: the agent checks them itself, trusting no server.</summary>
    private static string? NameProblem(StepPayload p) =>
        !FolderNames.IsName(p.App) ? $"refused the step: the app name '{p.App}' is not a name ({FolderNames.NameRule})"
        : !FolderNames.IsVersion(p.Version) ? $"refused the step: the version '{p.Version}' is not a version ({FolderNames.VersionRule})"
        : null;

    /// <summary>Stages the release and, on a web host, starts a healthy candidate beside the live instance.</summary>
    private async Task<StepResult> PrepareAsync(StepPayload p, StepLog log, CancellationToken ct)
    {
        var layout = Layout(p);
        var staged = await stager.StageAsync(layout, p, log, ct);
        if (staged is not null)
            return new StepResult(false, staged);
        state.Update(s => s.For(p.App).Runtime = p.Runtime);
        if (!p.Roles.Contains("web"))
            return new StepResult(true, $"release {p.Version} staged");
        var app = state.Read(s => s.For(p.App));
        if (app.Live is { } live && live.Version == p.Version && processes.IsAlive(live.Process))
            return new StepResult(true, $"{p.Version} is live already");
        var candidate = await StartCandidateAsync(layout, p, log, ct);
        if (candidate.Error is not null)
            return new StepResult(false, candidate.Error);
        // A cold instance is slower than the warm one it replaces: it is warmed before any client reaches it.
        var liveUrl = app.Live is { } serving && processes.IsAlive(serving.Process) ? $"http://127.0.0.1:{serving.Port}" : null;
        var warmed = await warmUp.WarmAsync($"http://127.0.0.1:{candidate.Instance!.Port}", liveUrl, layout.AccessLog, log, ct);
        return new StepResult(true, $"candidate {p.Version} healthy on port {candidate.Instance.Port}; {warmed}");
    }

    private async Task<(InstanceRecord? Instance, string? Error)> StartCandidateAsync(HostLayout layout, StepPayload p, StepLog log, CancellationToken ct)
    {
        // The instance kept warm through a bake window is the fastest candidate there is: a rollback takes it back.
        var warm = state.Read(s => s.For(p.App).Previous);
        if (warm is not null && warm.Version == p.Version && processes.IsAlive(warm.Process))
            state.Update(s =>
            {
                s.For(p.App).Candidate = warm;
                s.For(p.App).Previous = null;
            });
        var existing = state.Read(s => s.For(p.App).Candidate);
        if (existing is not null && existing.Version == p.Version && processes.IsAlive(existing.Process)
            && await launcher.WaitHealthyAsync(existing, p.Runtime with { HealthTimeoutSeconds = 2 }, log, ct) is null)
            return (existing, null);
        if (existing is not null)
            await processes.StopAsync(existing.Process, TimeSpan.FromSeconds(5));
        var candidate = launcher.StartWeb(layout, p.App, p.Version, p.Runtime, ports.Next());
        state.Update(s => s.For(p.App).Candidate = candidate);
        log.Write($"started candidate {p.Version} (pid {candidate.Process.Pid}) on port {candidate.Port}");
        var unhealthy = await launcher.WaitHealthyAsync(candidate, p.Runtime, log, ct);
        if (unhealthy is null)
            return (candidate, null);
        await processes.StopAsync(candidate.Process, TimeSpan.FromSeconds(5));
        state.Update(s => s.For(p.App).Candidate = null);
        var tail = LogTail.Read(Path.Combine(layout.Logs, $"web-{p.Version}.log"), 5);
        return (null, $"candidate {p.Version} failed its health check: {unhealthy}; it never took traffic{(tail.Length > 0 ? $"; its last output: {tail}" : "")}");
    }

    /// <summary>Runs the critical paths against this host's candidate, which takes no traffic yet.</summary>
    private async Task<StepResult> CheckCandidateAsync(StepPayload p, StepLog log, CancellationToken ct)
    {
        var app = state.Read(s => s.For(p.App));
        var target = app.Candidate is { } c && c.Version == p.Version ? c
            : app.Live is { } l && l.Version == p.Version ? l
            : null;
        if (target is null || !processes.IsAlive(target.Process))
            return new StepResult(false, $"{CheckMessages.NotRunning} {p.Version} to check: it exited or was stopped");
        // Checked again and again in a judged window, only the paths that change nothing (GET) run: no test orders pile up.
        var paths = (p.Runtime.Checks ?? []).Where(c => p.Look is null || c.Method.Equals("GET", StringComparison.OrdinalIgnoreCase)).ToList();
        var failure = await checks.RunAsync($"http://127.0.0.1:{target.Port}", paths, $"candidate {p.Version}", log, ct);
        return failure is null ? new StepResult(true, $"{paths.Count} critical paths passed on the candidate") : new StepResult(false, failure);
    }

    /// <summary>
    /// Runs the release's migration once: detached, with its start, output and exit on disk, so a step
    /// given again after this agent restarted reports what became of the first run instead of running it again.
    /// </summary>
    private async Task<StepResult> MigrateAsync(WorkItem work, StepLog log, CancellationToken ct)
    {
        var p = work.Payload;
        if (p.Runtime.Migrate is null)
            return new StepResult(true, "the app has no migration command");
        var layout = Layout(p);
        var env = launcher.Environment(layout, p.App, p.Version, p.Runtime, null);
        var command = new DetachedCommand(options.Root, work.StepId);
        if (!command.WasStarted)
        {
            if (DetachedCommand.StillRunning(options.Root, p.App) is { } running)
                return new StepResult(false, $"a migration of {p.App} started by {running} still runs on this host; it was not started again beside it");
            DetachedCommand.Prune(options.Root, keep: 50);
            log.Write($"$ {p.Runtime.Migrate}");
        }
        var outcome = await command.RunOrResumeAsync(p.App, p.Runtime.Migrate, layout.Release(p.Version), env, log, TimeSpan.FromMinutes(30), time, ct);
        return outcome switch
        {
            { ExitCode: 0 } => new StepResult(true, "migration succeeded"),
            { ExitCode: { } code } => new StepResult(false, $"migration exited with code {code}: {log.Tail(3)}"),
            _ => new StepResult(false, $"unknown outcome of the migration: {outcome.Unknown}"),
        };
    }

    /// <summary>
    /// The cutover, as the runbook reads: make sure the candidate is up and healthy, make sure the proxy
    /// runs, swap the proxy to the candidate in one step, let the old instance drain, stop it, record.
    /// If anything fails before the swap, the old instance keeps serving.
    /// </summary>
    private async Task<StepResult> ActivateAsync(StepPayload p, StepLog log, CancellationToken ct)
    {
        var layout = Layout(p);
        if (p.Roles.Contains("worker") && !p.Roles.Contains("web"))
            return await ActivateWorkerAsync(layout, p, log, ct);

        var app = state.Read(s => s.For(p.App));
        var proxy = await proxies.EnsureAsync(layout, app.Proxy, p.Runtime, ct);
        state.Update(s => s.For(p.App).Proxy = proxy);
        if (app.Live is { } live && live.Version == p.Version && processes.IsAlive(live.Process)
            && (await proxies.ReadAsync(proxy, ct))?.Release == p.Version)
            return await FinishAsync(layout, p, log, $"{p.Version} is live already");

        var (candidate, error) = await StartCandidateAsync(layout, p, log, ct);
        if (candidate is null)
            return new StepResult(false, error!);

        SwapResult swap;
        try
        {
            swap = await proxies.SwapAsync(proxy, new SwapRequest($"http://127.0.0.1:{candidate.Port}/", p.Version, p.Runtime.DrainSeconds), ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || ex is TaskCanceledException && !ct.IsCancellationRequested)
        {
            // The swap is one step in the proxy: refused, nothing changed, and the old instance serves on.
            return new StepResult(false,
                $"the proxy on :{proxy.Port} refused the switch to {p.Version} ({ex.Message}); {app.Live?.Version ?? "nothing"} keeps serving");
        }
        log.Write($"proxy on :{proxy.Port} now sends new requests to {p.Version}; previous {swap.PreviousRelease ?? "none"} "
            + (swap.Drained ? $"drained in {swap.DrainMs:0}ms" : $"still had {swap.InFlightLeft} requests after {swap.DrainMs:0}ms"));
        var old = app.Live;
        state.Update(s =>
        {
            s.For(p.App).Live = candidate;
            s.For(p.App).Candidate = null;
        });
        if (p.Runtime.Checks is { Count: > 0 } paths
            && await checks.RunAsync($"http://127.0.0.1:{proxy.Port}", paths, "switched host", log, ct, p.Runtime.ProxyHosts?.FirstOrDefault()) is { } failed)
            return await SwitchBackAsync(proxy, old, candidate, p, log, failed, ct);
        if (old is not null && old.Process != candidate.Process)
            await RetireAsync(p, old, log);
        if (p.Roles.Contains("worker"))
            return await ActivateWorkerAsync(layout, p, log, ct);
        return await FinishAsync(layout, p, log, $"{p.Version} serves on :{proxy.Port}");
    }

    /// <summary>The host failed its checks right after the swap: the old instance is still warm, so it takes the traffic back at once.</summary>
    private async Task<StepResult> SwitchBackAsync(ProxyRecord proxy, InstanceRecord? old, InstanceRecord failed, StepPayload p, StepLog log, string why, CancellationToken ct)
    {
        if (old is null || !processes.IsAlive(old.Process))
            return new StepResult(false, $"{why}; there was no earlier instance to switch back to");
        await proxies.SwapAsync(proxy, new SwapRequest($"http://127.0.0.1:{old.Port}/", old.Version, p.Runtime.DrainSeconds), ct);
        state.Update(s => s.For(p.App).Live = old);
        await processes.StopAsync(failed.Process, TimeSpan.FromSeconds(5));
        log.Write($"switched back to {old.Version} and stopped {failed.Version}");
        return new StepResult(false, $"{why}; switched this host back to {old.Version}");
    }

    /// <summary>Workers are replaced: the old one finishes its current job (bounded), then the new one starts.</summary>
    private async Task<StepResult> ActivateWorkerAsync(HostLayout layout, StepPayload p, StepLog log, CancellationToken ct)
    {
        if (p.Runtime.Worker is null)
            return await FinishAsync(layout, p, log, "the app declares no worker");
        var old = state.Read(s => s.For(p.App).Worker);
        if (old is not null && old.Version == p.Version && processes.IsAlive(old.Process))
            return await FinishAsync(layout, p, log, $"worker {p.Version} runs already");
        if (old is not null)
        {
            var graceful = await processes.StopAsync(old.Process, TimeSpan.FromSeconds(p.Runtime.DrainSeconds));
            log.Write(graceful ? $"worker {old.Version} finished its job and stopped" : $"worker {old.Version} was killed after {p.Runtime.DrainSeconds}s");
        }
        var worker = launcher.StartWorker(layout, p.App, p.Version, p.Runtime);
        state.Update(s => s.For(p.App).Worker = worker);
        log.Write($"started worker {p.Version} (pid {worker.Process.Pid})");
        await Task.Delay(TimeSpan.FromSeconds(p.Runtime.WorkerSettleSeconds), time, ct);
        if (!processes.IsAlive(worker.Process))
            return new StepResult(false, $"worker {p.Version} exited within {p.Runtime.WorkerSettleSeconds:0.#} s of its start: {LogTail.Read(Path.Combine(layout.Logs, $"worker-{p.Version}.log"), 5)}");
        return await FinishAsync(layout, p, log, $"worker {p.Version} runs");
    }

    private Task<StepResult> FinishAsync(HostLayout layout, StepPayload p, StepLog log, string message)
    {
        ReleaseStager.PointCurrent(layout, p.Version);
        var inUse = state.Read(s => new[] { s.For(p.App).Live?.Version, s.For(p.App).Candidate?.Version, s.For(p.App).Worker?.Version, s.For(p.App).Previous?.Version, p.Version })
            .OfType<string>().ToHashSet();
        ReleaseStager.Prune(layout, p.Runtime.KeepReleases, inUse, log);
        return Task.FromResult(new StepResult(true, message));
    }

    /// <summary>With a bake window the old instance stays warm (instant rollback) until finalize; without one it stops now.</summary>
    private async Task RetireAsync(StepPayload p, InstanceRecord old, StepLog log)
    {
        var earlier = state.Read(s => s.For(p.App).Previous);
        if (earlier is not null && earlier.Process != old.Process)
            await processes.StopAsync(earlier.Process, TimeSpan.FromSeconds(5));
        if (p.Runtime.BakeSeconds > 0)
        {
            state.Update(s => s.For(p.App).Previous = old);
            log.Write($"kept {old.Version} (pid {old.Process.Pid}) warm for the {p.Runtime.BakeSeconds}s bake window");
            return;
        }
        state.Update(s => s.For(p.App).Previous = null);
        await processes.StopAsync(old.Process, TimeSpan.FromSeconds(Math.Max(5, p.Runtime.DrainSeconds)));
        log.Write($"stopped {old.Version} (pid {old.Process.Pid})");
    }

    /// <summary>The bake window passed: the warm old instance stops.</summary>
    private async Task<StepResult> FinalizeAsync(StepPayload p, StepLog log)
    {
        var previous = state.Read(s => s.For(p.App).Previous);
        if (previous is null)
            return new StepResult(true, "nothing kept warm");
        await processes.StopAsync(previous.Process, TimeSpan.FromSeconds(Math.Max(5, p.Runtime.DrainSeconds)));
        state.Update(s => s.For(p.App).Previous = null);
        return new StepResult(true, $"stopped {previous.Version} (pid {previous.Process.Pid}) after the bake window");
    }

    /// <summary>Stops a candidate that will not go live; a split that sends clients to it ends first, so none of them meets a stopped instance.</summary>
    private async Task<StepResult> DiscardAsync(StepPayload p, StepLog log, CancellationToken ct)
    {
        var candidate = state.Read(s => s.For(p.App).Candidate);
        if (candidate is null || candidate.Version != p.Version)
            return new StepResult(true, "no candidate to stop");
        if (state.Read(s => s.For(p.App).Proxy) is { } proxy && await proxies.ReadAsync(proxy, ct) is { } view
            && (await EndSplitAsync(proxy, view, p, log, ct)) is { Succeeded: false } unsplit)
            return unsplit;
        await processes.StopAsync(candidate.Process, TimeSpan.FromSeconds(5));
        state.Update(s => s.For(p.App).Candidate = null);
        log.Write($"stopped candidate {p.Version} (pid {candidate.Process.Pid})");
        return new StepResult(true, $"candidate {p.Version} stopped");
    }
}
