using Crossfade.Core.Specs;

namespace Crossfade.Core.Config;

/// <summary>The variables a host's templates see: built-ins, then the app's, the environment's and the host's own (the host wins).</summary>
public static class ConfigVariables
{
    public static readonly IReadOnlyList<string> BuiltIn = ["app", "env", "host", "release"];

    public static IReadOnlyDictionary<string, string> ForHost(AppSpec spec, EnvironmentSpec environment, HostSpec host, string release)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var layer in new[] { spec.Config?.Variables, environment.Variables, host.Variables })
            foreach (var (name, value) in layer ?? new Dictionary<string, string>())
                values[name] = value;
        values["app"] = spec.Name;
        values["env"] = environment.Name;
        values["host"] = host.Name;
        values["release"] = release;
        return values;
    }

    /// <summary>Every host of the environment that converges (all of them: config is not role-specific).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ForEnvironment(AppSpec spec, string environment, string release)
    {
        var env = spec.Environments[environment];
        return env.Hosts.ToDictionary(h => h.Name, h => ForHost(spec, env, h, release), StringComparer.Ordinal);
    }
}
