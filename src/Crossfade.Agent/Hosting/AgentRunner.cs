using Crossfade.Agent.Instances;
using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;
using Microsoft.Extensions.Logging;

namespace Crossfade.Agent.Hosting;

/// <summary>
/// The agent's main loop: enroll once, then long-poll the server for steps and run them one at a
/// time, while the supervisor keeps the host's processes up in between (and, on a builder host, builds
/// run beside them).
/// </summary>
public sealed partial class AgentRunner(
    AgentOptions options, ServerClient server, HostStateStore state, HostSteps steps, Supervisor supervisor, Shipping.Shipper shipper,
    Secrets.SecretMasks masks, TimeProvider time, ILogger<AgentRunner> logger, Builds.BuilderLoop? builder = null,
    Core.Links.PinnedTls? tls = null)
{
    private readonly SemaphoreSlim _hostLock = new(1, 1);
    private readonly SelfUpgrade _binary = new(options.Binary, time);

    /// <summary>Runs until <paramref name="stopping"/> ends, or until the agent replaced its own binary (its service then starts the new one).</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var ct = running.Token;
        var token = await TokenAsync(ct);
        server.UseToken(token);
        var adopted = state.Read(s => s.Apps.Select(a => $"{a.Key}: live {a.Value.Live?.Version ?? "-"}, worker {a.Value.Worker?.Version ?? "-"}").ToList());
        LogStarted(options.Name, adopted.Count == 0 ? "nothing yet" : string.Join("; ", adopted));
        var supervising = SuperviseAsync(ct);
        var shipping = options.ShipLogs ? shipper.RunAsync(ct) : Task.CompletedTask;
        var building = builder?.RunAsync(token, ct) ?? Task.CompletedTask;
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var (work, upgradeTo) = await server.PollAsync(Heartbeat(), options.PollWait, ct);
                failures = 0;
                if (work is not null)
                    await RunStepAsync(work, ct);
                else if (_binary.Wanted(upgradeTo) && await UpgradedAsync(upgradeTo!, ct))
                    await running.CancelAsync();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                RefuseAnUntrustedServer();
                failures++;
                LogServerUnreachable(options.Server, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, failures)), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        await supervising;
        await shipping;
        await building;
    }

    private async Task<string> TokenAsync(CancellationToken ct)
    {
        var path = Path.Combine(options.Root, "agent.token");
        if (File.Exists(path))
            return (await File.ReadAllTextAsync(path, ct)).Trim();
        if (string.IsNullOrWhiteSpace(options.Token) && options.TokenFile is { } file && File.Exists(file))
            options.Token = (await File.ReadAllTextAsync(file, ct)).Trim();
        if (string.IsNullOrWhiteSpace(options.Token))
            throw new InvalidOperationException("this agent has not enrolled yet: pass --token with an enrollment token ('crossfade token create --role enroll')");
        EnrollResponse enrolled;
        try
        {
            enrolled = await server.EnrollAsync(new EnrollRequest(options.Name, options.Roles, Core.Links.JoinToken.Split(options.Token).Secret), ct);
        }
        catch (HttpRequestException)
        {
            RefuseAnUntrustedServer();
            throw;
        }
        if (tls?.Pin is { } pin)
            ServerPin.Keep(options.Root, pin);
        Core.Files.PrivateFile.Write(path, enrolled.AgentToken);
        // The enrollment token is used up: nothing is left to read in its file.
        if (options.TokenFile is { } used && File.Exists(used))
            File.Delete(used);
        return enrolled.AgentToken;
    }

    /// <summary>Takes the server's binary between steps (under the host lock, so no supervisor pass runs meanwhile); true when the agent should stop for its service to start the new one.</summary>
    private async Task<bool> UpgradedAsync(string sha256, CancellationToken ct)
    {
        await _hostLock.WaitAsync(ct);
        try
        {
            var failure = await _binary.TakeAsync(server, sha256, ct);
            if (failure is null)
                LogUpgraded(options.Binary!, sha256);
            else
                LogUpgradeFailed(failure);
            return failure is null;
        }
        finally
        {
            _hostLock.Release();
        }
    }

    /// <summary>A server presenting a key other than the one pinned gets nothing more from this agent: it stops, saying what it saw and what to do.</summary>
    private void RefuseAnUntrustedServer()
    {
        if (tls?.Explain(options.Server, $"remove {Path.Combine(options.Root, ServerPin.FileName)} and {Path.Combine(options.Root, "agent.token")}, and enroll again with a new token (it carries the new fingerprint); the instances and proxy keep serving meanwhile") is { } why)
            throw new InvalidOperationException(why);
    }

    private AgentHeartbeat Heartbeat() => state.Read(s => new AgentHeartbeat(Core.Versioning.ProductVersion.Current.Full,
        s.Apps.Where(a => (a.Value.Live ?? a.Value.Worker) is not null).ToDictionary(a => a.Key, a => (a.Value.Live ?? a.Value.Worker)!.Version),
        InstanceReports.Of(s), _binary.Sha256 is null ? null : SelfUpgrade.Rid, _binary.Sha256));

    private async Task RunStepAsync(WorkItem work, CancellationToken ct)
    {
        LogStep(work.StepId, work.Kind, work.Payload.App, work.Payload.Version);
        var log = new StepLog(time);
        log.Redact(masks.For(work.Payload.App));
        StepResult result;
        await _hostLock.WaitAsync(ct);
        using var flushing = new CancellationTokenSource();
        var flusher = FlushLogAsync(work.StepId, log, flushing.Token);
        try
        {
            result = await steps.RunAsync(work, log, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            result = new StepResult(false, $"the agent failed: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            _hostLock.Release();
            await flushing.CancelAsync();
            await flusher;
        }
        log.Write(result.Message);
        await DeliverAsync(() => server.SendLogAsync(work.StepId, log.Drain(), ct), ct);
        await DeliverAsync(() => server.SendResultAsync(work.StepId, result, ct), ct);
    }

    private async Task FlushLogAsync(long stepId, StepLog log, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300), time, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            var lines = log.Drain();
            if (lines.Count > 0)
                await DeliverAsync(() => server.SendLogAsync(stepId, lines, CancellationToken.None), CancellationToken.None);
        }
    }

    private Task DeliverAsync(Func<Task> send, CancellationToken ct) => Delivery.UntilTakenAsync(send, 60, time, ct);

    private async Task SuperviseAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            if (ct.IsCancellationRequested || !await _hostLock.WaitAsync(0, ct))
                continue;
            try
            {
                await supervisor.TickAsync(ct);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or InvalidOperationException)
            {
                LogSupervisorFailed(ex.Message);
            }
            finally
            {
                _hostLock.Release();
            }
        }
    }

    [LoggerMessage(20, LogLevel.Information, "Agent {Name} started; found {Adopted}")]
    private partial void LogStarted(string name, string adopted);

    [LoggerMessage(21, LogLevel.Information, "Step {StepId}: {Kind} {App} {Version}")]
    private partial void LogStep(long stepId, string kind, string app, string version);

    [LoggerMessage(22, LogLevel.Warning, "Server {Server} unreachable: {Reason}")]
    private partial void LogServerUnreachable(string server, string reason);

    [LoggerMessage(23, LogLevel.Warning, "Supervisor pass failed: {Reason}")]
    private partial void LogSupervisorFailed(string reason);

    [LoggerMessage(24, LogLevel.Information, "Replaced {Binary} with the server's binary (sha256 {Sha256}); stopping for the service to start it")]
    private partial void LogUpgraded(string binary, string sha256);

    [LoggerMessage(25, LogLevel.Warning, "Upgrade not taken: {Reason}")]
    private partial void LogUpgradeFailed(string reason);
}
