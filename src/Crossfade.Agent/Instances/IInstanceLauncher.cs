using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Instances;

/// <summary>Starts the app's web and worker instances of a release and tells whether a web instance became healthy.</summary>
public interface IInstanceLauncher
{
    /// <summary>Starts a web instance of <paramref name="version"/> listening on <paramref name="port"/>; it returns at once, healthy or not.</summary>
    InstanceRecord StartWeb(HostLayout layout, string app, string version, AppRuntime runtime, int port);

    /// <summary>Starts the worker of <paramref name="version"/>; it returns at once.</summary>
    InstanceRecord StartWorker(HostLayout layout, string app, string version, AppRuntime runtime);

    /// <summary>The environment an instance (or the release's migration, with no port) runs with.</summary>
    Dictionary<string, string> Environment(HostLayout layout, string app, string version, AppRuntime runtime, int? port);

    /// <returns>null when the instance answered 2xx on its health path within the runtime's timeout, otherwise why not.</returns>
    Task<string?> WaitHealthyAsync(InstanceRecord instance, AppRuntime runtime, StepLog log, CancellationToken ct);
}
