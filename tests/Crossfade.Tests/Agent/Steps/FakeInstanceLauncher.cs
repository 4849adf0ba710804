using Crossfade.Agent;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Agent.Steps;

/// <summary>Starts in-memory instances; a version listed in <see cref="Unhealthy"/> never passes its health check.</summary>
internal sealed class FakeInstanceLauncher(FakeProcesses processes, List<string> journal, TimeProvider time) : IInstanceLauncher
{
    public List<InstanceRecord> WebStarted { get; } = [];
    public List<InstanceRecord> WorkersStarted { get; } = [];
    public HashSet<string> Unhealthy { get; } = new(StringComparer.Ordinal);
    /// <summary>A worker started from now on exits before anyone looks at it.</summary>
    public bool WorkersExitAtOnce { get; set; }

    public InstanceRecord StartWeb(HostLayout layout, string app, string version, AppRuntime runtime, int port)
    {
        var instance = new InstanceRecord(version, processes.Spawn(), port, time.GetUtcNow());
        WebStarted.Add(instance);
        journal.Add($"start web {version} {instance.Process.Pid}");
        return instance;
    }

    public InstanceRecord StartWorker(HostLayout layout, string app, string version, AppRuntime runtime)
    {
        var instance = new InstanceRecord(version, processes.Spawn(), 0, time.GetUtcNow());
        WorkersStarted.Add(instance);
        journal.Add($"start worker {version} {instance.Process.Pid}");
        if (WorkersExitAtOnce)
            processes.Exit(instance.Process);
        return instance;
    }

    public Dictionary<string, string> Environment(HostLayout layout, string app, string version, AppRuntime runtime, int? port) =>
        new(StringComparer.Ordinal) { ["CROSSFADE_APP"] = app, ["CROSSFADE_RELEASE"] = version };

    public Task<string?> WaitHealthyAsync(InstanceRecord instance, AppRuntime runtime, StepLog log, CancellationToken ct) =>
        Task.FromResult(!processes.IsAlive(instance.Process) ? "the instance exited before it became healthy"
            : Unhealthy.Contains(instance.Version) ? $"GET {runtime.HealthPath} did not answer 2xx within {runtime.HealthTimeoutSeconds}s (last answer: 503)"
            : null);
}
