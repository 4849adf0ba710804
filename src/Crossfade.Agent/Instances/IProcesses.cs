namespace Crossfade.Agent.Instances;

/// <summary>
/// Looks at and stops the processes the agent started: the seam between the host's steps and the
/// operating system, so the cutover and rollback logic can be tested without real processes.
/// </summary>
public interface IProcesses
{
    /// <summary>Whether the process still runs; a null process never does.</summary>
    bool IsAlive(ProcessRef? process);

    /// <summary>Asks the process to stop and kills it if it is still there after <paramref name="grace"/>.</summary>
    /// <returns>true when it stopped by itself (or was not running), false when it had to be killed.</returns>
    Task<bool> StopAsync(ProcessRef? process, TimeSpan grace);
}
