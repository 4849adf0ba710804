using System.Globalization;
using Crossfade.Agent.Hosting;
using Crossfade.Contracts.V1;
using Crossfade.Core.Builds;
using Microsoft.Extensions.Logging;

namespace Crossfade.Agent.Builds;

/// <summary>
/// On a host with the <c>builder</c> role: takes builds from the server (a long poll beside the one for
/// steps, so a build never holds a deploy back), runs each in a clean workspace under the agent's root,
/// streams its output, sends the packed release and reports how it ended. At most two at once. A build the
/// server stopped waiting for (it timed out there, or the server restarted) is stopped here too.
/// </summary>
public sealed partial class BuilderLoop(AgentOptions options, ServerClient server, TimeProvider time, ILogger<BuilderLoop> logger)
{
    /// <summary>The host role that takes builds.</summary>
    public const string Role = Core.Specs.BuildSpec.OnBuilder;

    public const int Slots = 2;
    private const int BatchLines = 1000;
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(10);

    /// <summary>Takes and runs builds until <paramref name="ct"/> ends, calling the server with the agent's token.</summary>
    public async Task RunAsync(string token, CancellationToken ct)
    {
        server.UseToken(token);
        var running = new List<Task>();
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            if (running.Count >= Slots)
            {
                await Task.WhenAny(running).WaitAsync(ct).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }
            BuildWork? work;
            try
            {
                work = await server.TakeBuildAsync(options.PollWait, ct);
                failures = 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception refused) when (refused is InvalidOperationException or System.Text.Json.JsonException)
            {
                // Not a builder for the server (yet), or an answer it cannot read: asks again later, never gives up.
                LogNotABuilder(refused.Message);
                await Task.Delay(TimeSpan.FromSeconds(30), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                failures++;
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, failures)), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }
            if (work is not null)
                running.Add(Task.Run(() => BuildAsync(work, ct), CancellationToken.None));
        }
        await Task.WhenAll(running);
    }

    private async Task BuildAsync(BuildWork work, CancellationToken ct)
    {
        LogBuild(work.BuildId, work.App, work.Ref);
        var workspace = Path.Combine(options.Root, "builds", work.BuildId.ToString(CultureInfo.InvariantCulture));
        var output = new BuildOutput();
        using var abandoned = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var flushing = new CancellationTokenSource();
        var flusher = FlushAsync(work.BuildId, output, abandoned, flushing.Token);
        BuildResult result;
        try
        {
            var outcome = await new SourceBuild(time).RunAsync(work, workspace, output.Add, (_, _, _) => Task.CompletedTask, abandoned.Token);
            result = await SendAsync(work, outcome, output, abandoned.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !abandoned.IsCancellationRequested)
        {
            result = new BuildResult(false, $"the builder failed: {ex.GetType().Name}: {ex.Message}", false, null, null, null);
        }
        catch (OperationCanceledException)
        {
            result = new BuildResult(false, "the builder stopped", false, null, null, null);
        }
        finally
        {
            await flushing.CancelAsync();
            await flusher;
            WorkspaceFolder.Remove(workspace);
        }
        if (abandoned.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            LogAbandoned(work.BuildId);
            return;
        }
        await Delivery.UntilTakenAsync(() => server.SendBuildResultAsync(work.BuildId, result, CancellationToken.None), 30, time, ct);
    }

    /// <summary>Sends the archive the build made, or passes on why there is none.</summary>
    private async Task<BuildResult> SendAsync(BuildWork work, SourceBuildOutcome outcome, BuildOutput output, CancellationToken ct)
    {
        if (!outcome.Made)
            return new BuildResult(false, outcome.Failure, outcome.Superseded, outcome.Sha, outcome.Message, null);
        output.Add($"sending the release to the server: {new FileInfo(outcome.ArchivePath!).Length / 1024} KiB");
        var (sha256, refusal) = await server.SendBuildArchiveAsync(work.BuildId, outcome.ArchivePath!, ct);
        return sha256 is not null
            ? new BuildResult(true, null, false, outcome.Sha, outcome.Message, sha256)
            : new BuildResult(false, refusal is null ? "the server stopped waiting for the build" : $"the server refused the release: {refusal}", false, outcome.Sha, outcome.Message, null);
    }

    /// <summary>Sends the output every 300 ms and what is left at the end; the server no longer knowing the build abandons it.</summary>
    private async Task FlushAsync(long buildId, BuildOutput output, CancellationTokenSource abandon, CancellationToken stop)
    {
        var spoke = time.GetUtcNow();
        while (true)
        {
            var stopping = stop.IsCancellationRequested;
            if (!stopping)
                await Task.Delay(TimeSpan.FromMilliseconds(300), time, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            var batch = output.Take(BatchLines);
            // A build that prints nothing for a while still says it is alive: the server fails a silent one.
            var keepAlive = batch.Count == 0 && !stopping && time.GetUtcNow() - spoke >= KeepAlive;
            while (batch.Count > 0 || keepAlive)
            {
                keepAlive = false;
                bool known;
                try
                {
                    known = await server.SendBuildLogAsync(buildId, batch, CancellationToken.None);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    // A blip: these lines are lost, the build goes on, and the next batch tries again.
                    batch = output.Take(BatchLines);
                    continue;
                }
                spoke = time.GetUtcNow();
                if (!known)
                {
                    await abandon.CancelAsync();
                    return;
                }
                batch = output.Take(BatchLines);
            }
            if (stopping)
                return;
        }
    }

    [LoggerMessage(40, LogLevel.Information, "Build #{BuildId}: {App} {Ref}")]
    private partial void LogBuild(long buildId, string app, string @ref);

    [LoggerMessage(41, LogLevel.Warning, "Build #{BuildId} stopped: the server no longer waits for it")]
    private partial void LogAbandoned(long buildId);

    [LoggerMessage(42, LogLevel.Error, "This host takes no builds: {Reason}")]
    private partial void LogNotABuilder(string reason);
}
