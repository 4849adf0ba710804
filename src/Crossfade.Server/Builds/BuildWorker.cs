using Crossfade.Contracts.V1;
using Crossfade.Server.Deploys;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Builds;

/// <summary>
/// Takes queued builds (at most two at once, never two of one app and ref), runs them (on the server, or on a
/// builder host when the spec says so), and deploys what
/// a build of a mapped ref made — through the same gate as every trigger: a freeze the environment
/// waits out turns the deploy into a schedule that starts when the freeze ends.
/// </summary>
public sealed class BuildWorker(
    IStore store, BuildRunner runner, BuilderRunner builders, DeployService deploys, Timeline timeline, Telemetry.AppSpecs specs, TimeProvider time, ILogger<BuildWorker> logger)
    : BackgroundService
{
    private const int Slots = 2;
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Wakes the worker: a build was queued.</summary>
    public void Queued() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        try
        {
            // Builds a stopped server left running are over: their workspaces went with it.
            foreach (var stale in (await store.ListBuildsAsync(null, 500, stoppingToken)).Where(b => b.State == BuildStates.Running))
                await store.UpdateBuildAsync(stale with { State = BuildStates.Failed, FinishedAt = time.GetUtcNow(), Reason = "the server stopped while it ran; start it again with 'crossfade build'" }, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "builds left running by a stopped server could not be marked failed");
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            BuildRecord? build = null;
            try
            {
                build = running.Count < Slots ? await store.ClaimBuildAsync(time.GetUtcNow(), stoppingToken) : null;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A busy store this round is no reason to stop the server: the next round tries again.
                logger.LogError(e, "could not take the next build");
            }
            if (build is not null)
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
        var (release, built, failure) = buildSpec.RunsOn == Core.Specs.BuildSpec.OnBuilder
            ? await builders.RunAsync(build, buildSpec, ct)
            : await runner.RunAsync(build, buildSpec, ct);
        if (release is null)
        {
            await FinishAsync(built, built.State == BuildStates.Superseded ? BuildStates.Superseded : BuildStates.Failed, failure, null);
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
            var schedule = await Schedules.WaitingSchedule.AddAsync(store, time, built.App, environment, release.Version, built.RequestedBy, until, start.Refusal);
            await FinishAsync(built, BuildStates.Succeeded, $"its deploy waits as schedule #{schedule}: {start.Refusal}", null);
        }
        else
            await FinishAsync(built, BuildStates.Succeeded, $"built, but its deploy to '{environment}' was refused: {start.Refusal}", null);
    }

    private async Task FinishAsync(BuildRecord build, string state, string? reason, long? deployId)
    {
        var finished = build with { State = state, Reason = reason, DeployId = deployId, FinishedAt = time.GetUtcNow() };
        await store.UpdateBuildAsync(finished, CancellationToken.None);
        var (outcome, alert) = state switch
        {
            BuildStates.Succeeded => ($"made {finished.Version}", AlertTypes.Success),
            BuildStates.Superseded => ("was superseded", AlertTypes.Info),
            _ => ("failed", AlertTypes.Error),
        };
        await Publish(finished, EventKinds.BuildEnded, $"build #{build.Id} of {build.App} ({build.Ref}) {outcome}",
            reason ?? (deployId is { } d ? $"deploying it as deploy #{d}" : ""), alert);
    }

    private Task Publish(BuildRecord build, string kind, string title, string text, string alert) =>
        timeline.PublishAsync(new EventRecord(0, time.GetUtcNow(), kind, title, text,
            [$"build:{build.Id}"], "crossfade", alert, null, null,
            build.App, build.Environment, build.DeployId), CancellationToken.None);
}
