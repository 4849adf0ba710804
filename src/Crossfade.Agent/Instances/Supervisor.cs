using Crossfade.Agent.Proxy;
using Microsoft.Extensions.Logging;

namespace Crossfade.Agent.Instances;

/// <summary>
/// Keeps what the state says should run, running: restarts a crashed proxy on its ports (it reloads its
/// upstream from disk), a crashed live or worker instance on its port, with exponential backoff.
/// </summary>
public sealed partial class Supervisor(
    HostStateStore state, IInstanceLauncher launcher, IProxyControl proxies, IProcesses processes, AgentOptions options, TimeProvider time, ILogger<Supervisor> logger)
{
    private readonly Dictionary<string, (int Failures, DateTimeOffset NextTry)> _backoff = new(StringComparer.Ordinal);

    /// <summary>One pass over every app on the host. Called with the host lock held.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        foreach (var (app, appState) in state.Read(s => s.Apps.ToList()))
        {
            if (appState.Runtime is not { } runtime)
                continue;
            var layout = new HostLayout(options.Root, app);
            if (appState.Proxy is { } proxy && !processes.IsAlive(proxy.Process) && Due($"{app}/proxy"))
            {
                LogRestart(app, "proxy", proxy.Process.Pid);
                var restarted = await proxies.EnsureAsync(layout, proxy, runtime, ct);
                state.Update(s => s.For(app).Proxy = restarted);
            }
            if (appState.Live is { } live && !processes.IsAlive(live.Process) && Due($"{app}/web"))
            {
                LogRestart(app, "web", live.Process.Pid);
                var again = launcher.StartWeb(layout, app, live.Version, runtime, live.Port);
                state.Update(s => s.For(app).Live = again);
            }
            if (appState.Worker is { } worker && !processes.IsAlive(worker.Process) && Due($"{app}/worker"))
            {
                LogRestart(app, "worker", worker.Process.Pid);
                var again = launcher.StartWorker(layout, app, worker.Version, runtime);
                state.Update(s => s.For(app).Worker = again);
            }
            Settle($"{app}/web", appState.Live);
            Settle($"{app}/worker", appState.Worker);
        }
    }

    private bool Due(string key)
    {
        var now = time.GetUtcNow();
        var (failures, next) = _backoff.GetValueOrDefault(key);
        if (now < next)
            return false;
        var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, failures)));
        _backoff[key] = (failures + 1, now + delay);
        return true;
    }

    /// <summary>An instance that stayed up a while has recovered: its next crash restarts at once again.</summary>
    private void Settle(string key, InstanceRecord? instance)
    {
        if (instance is not null && processes.IsAlive(instance.Process) && time.GetUtcNow() - instance.StartedAt > TimeSpan.FromSeconds(30))
            _backoff.Remove(key);
    }

    [LoggerMessage(10, LogLevel.Warning, "{App}: {Kind} process {Pid} is gone; restarting it")]
    private partial void LogRestart(string app, string kind, int pid);
}
