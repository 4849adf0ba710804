using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;

namespace Crossfade.Server.Deploys;

/// <summary>Turns an app spec into what a host needs to run it.</summary>
public static class RuntimeFactory
{
    public static AppRuntime From(AppSpec spec) =>
        new(spec.Run, spec.Worker, spec.Migrate, spec.Health.Path, spec.Health.TimeoutSeconds, spec.ProxyPort,
            spec.DrainSeconds, spec.KeepReleases, spec.SharedPaths, spec.Env, spec.CriticalPaths, spec.BakeSeconds, spec.LogSettings.Files,
            spec.WorkerSettleSeconds, spec.ProxyTls, spec.ProxyHosts);
}
