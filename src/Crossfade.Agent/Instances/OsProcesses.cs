namespace Crossfade.Agent.Instances;

/// <summary>The processes of this machine, waited for on the given clock.</summary>
public sealed class OsProcesses(TimeProvider time) : IProcesses
{
    public bool IsAlive(ProcessRef? process) => Processes.IsAlive(process);

    public Task<bool> StopAsync(ProcessRef? process, TimeSpan grace) => Processes.StopAsync(process, grace, time);
}
