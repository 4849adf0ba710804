using Crossfade.Agent.Instances;

namespace Crossfade.Tests.Agent.Steps;

/// <summary>Processes that exist only in memory: alive from <see cref="Spawn"/> until stopped or told to exit.</summary>
internal sealed class FakeProcesses(List<string> journal) : IProcesses
{
    private readonly HashSet<ProcessRef> _alive = [];
    private int _lastPid = 1000;

    /// <summary>Every stop asked for, in order, with the grace it was given.</summary>
    public List<(ProcessRef Process, TimeSpan Grace)> Stops { get; } = [];

    public ProcessRef Spawn()
    {
        var process = new ProcessRef(++_lastPid, 7);
        _alive.Add(process);
        return process;
    }

    /// <summary>The process ends by itself, as a crashing app does.</summary>
    public void Exit(ProcessRef process) => _alive.Remove(process);

    public bool WasStopped(ProcessRef process) => Stops.Any(s => s.Process == process);

    public bool IsAlive(ProcessRef? process) => process is not null && _alive.Contains(process);

    public Task<bool> StopAsync(ProcessRef? process, TimeSpan grace)
    {
        if (process is not null)
        {
            Stops.Add((process, grace));
            journal.Add($"stop {process.Pid}");
            _alive.Remove(process);
        }
        return Task.FromResult(true);
    }
}
