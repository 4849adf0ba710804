using Crossfade.Agent.Instances;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Hosting;

/// <summary>What the heartbeat tells the server of the host's processes: every instance and proxy, and whether it runs.</summary>
public static class InstanceReports
{
    public static IReadOnlyList<InstanceReport> Of(HostState state) =>
        state.Apps.OrderBy(a => a.Key, StringComparer.Ordinal).SelectMany(a => Of(a.Key, a.Value)).ToList();

    private static IEnumerable<InstanceReport> Of(string app, AppState s)
    {
        foreach (var (kind, instance) in new[] { ("live", s.Live), ("candidate", s.Candidate), ("previous", s.Previous), ("worker", s.Worker) })
            if (instance is not null)
                yield return new InstanceReport(app, kind, instance.Version, instance.Process.Pid, instance.Port, instance.StartedAt, Processes.IsAlive(instance.Process));
        if (s.Proxy is { } proxy)
            yield return new InstanceReport(app, "proxy", null, proxy.Process.Pid, proxy.Port, null, Processes.IsAlive(proxy.Process));
    }
}
