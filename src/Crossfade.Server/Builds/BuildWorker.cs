using Crossfade.Contracts.V1;
using Crossfade.Server.Deploys;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Builds;

/// <summary>
/// Takes queued builds (at most two at once, never two of one app and ref), runs them, and deploys what
/// a build of a mapped ref made — through the same gate as every trigger: a freeze the environment
/// waits out turns the deploy into a schedule that starts when the freeze ends.
/// </summary>
public sealed class BuildWorker(
    IStore store, BuildRunner runner, DeployService deploys, Timeline timeline, Telemetry.AppSpecs specs, TimeProvider time, ILogger<BuildWorker> logger)
    : BackgroundService
{
    private const int Slots = 2;
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Wakes the worker: a build was queued.</summary>
    public void Queued() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Builds a stopped server left running start again from the beginning: their workspaces are gone.
        foreach (var stale in (await store.ListBuildsAsync(null, 500, stoppingToken)).Where(b => b.State == BuildStates.Running))
            await store.UpdateBuildAsync(stale with { State = BuildStates.Failed, FinishedAt = time.GetUtcNow(), Reason = "the server stopped while it ran; start it again with 'crossfade build'" }, stoppingToken);
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            if (running.Count < Slots && await store.ClaimBuildAsync(time.GetUtcNow(), stoppingToken) is { } build)
            {
                running.Add(Task.Run(() => RunAsync(build, stoppingToken), CancellationToken.None));
                continue;
            }
            // A queued build or a finished one wakes it; the real clock's two seconds are only a fallback.
            await _wake.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        await Task.WhenAll(running);
    }

    private async Task RunAsync(BuildRecord build, CancellationToken ct)
    {
        try
        {
            await BuildAndDeployAsync(build, ct);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "build #{Id} of {App} broke", build.Id, build.App);
            await FinishAsync(build, BuildStates.Failed, $"the build broke: {e.Message}", null);
        }
        finally
        {
            _wake.Release();
        }
    }

    private async Task BuildAndDeployAsync(BuildRecord build, CancellationToken ct)
    {
        var spec = await store.GetAppAsync(build.App, ct) is { } app ? specs.Of(app) : null;
        if (spec?.Build is not { } buildSpec)
        {
            await FinishAsync(build, BuildStates.Failed, $"'{build.App}' no longer has a 'build' section in its spec", null);
            return;
        }
        await Publish(build, EventKinds.BuildStarted, $"build #{build.Id} of {build.App} ({build.Ref}) started", $"by {build.RequestedBy} via {build.Trigger}", AlertTypes.Info);
        var (release, built, failure) = await runner.RunAsync(build, buildSpec, ct);
        if (release is null)
        {
            await FinishAsync(built, BuildStates.Failed, failure, null);
            return;
        }
        built = built with { Version = release.Version };
        if (built.Environment is not { } environment)
        {
            await FinishAsync(built, BuildStates.Succeeded, null, null);
            return;
        }
        var request = new DeployRequest(built.App, environment, Contracts.V1.DeployKind.Deploy, release.Version, built.RequestedBy, Roles.Deployer,
            built.Trigger, $"build-{built.Id}", Queue: true);
        var start = await deploys.StartAsync(request, ct);
        if (start.Deploy is { } deploy)
            await FinishAsync(built, BuildStates.Succeeded, null, deploy.Id);
        else if (start.WaitUntil is { } until)
        {
            var schedule = await store.AddScheduleAsync(new ScheduleRecord(0, built.App, environment, release.Version, null, null, until, false,
                built.RequestedBy, Roles.Deployer, time.GetUtcNow(), ScheduleStates.Waiting, null, start.Refusal), ct);
            await FinishAsync(built, BuildStates.Succeeded, $"its deploy waits as schedule #{schedule}: {start.Refusal}", null);
        }
        else
            await FinishAsync(built, BuildStates.Succeeded, $"built, but its deploy to '{environment}' was refused: {start.Refusal}", null);
    }

    private async Task FinishAsync(BuildRecord build, string state, string? reason, long? deployId)
    {
        var finished = build with { State = state, Reason = reason, DeployId = deployId, FinishedAt = time.GetUtcNow() };
        await store.UpdateBuildAsync(finished, CancellationToken.None);
        var outcome = state == BuildStates.Succeeded ? $"made {finished.Version}" : "failed";
        await Publish(finished, EventKinds.BuildEnded, $"build #{build.Id} of {build.App} ({build.Ref}) {outcome}",
            reason ?? (deployId is { } d ? $"deploying it as deploy #{d}" : ""), state == BuildStates.Succeeded ? AlertTypes.Success : AlertTypes.Error);
    }

    private Task Publish(BuildRecord build, string kind, string title, string text, string alert) =>
        timeline.PublishAsync(new EventRecord(0, time.GetUtcNow(), kind, title, text,
            [$"app:{build.App}", $"build:{build.Id}", .. build.Environment is { } e ? new[] { $"env:{e}" } : []], "crossfade", alert, null, null,
            build.App, build.Environment, build.DeployId), CancellationToken.None);
}
