using YamlDotNet.RepresentationModel;

namespace Crossfade.Core.Specs;

/// <summary>Reads the spec's <c>build:</c> (where and how to build from source) and <c>triggers:</c> (which pushes deploy where).</summary>
internal static class BuildSpecReader
{
    public static BuildSpec? ReadBuild(SpecNodeReader reader, YamlMappingNode root)
    {
        var node = reader.OptionalMapping(root, "build");
        if (node is null)
            return null;
        reader.RejectUnknownKeys(node, ["repository", "command", "output", "timeout_seconds", "runs_on"], "build.");
        var repository = reader.RequiredString(node, "repository", "build.");
        var command = reader.RequiredString(node, "command", "build.");
        var output = reader.OptionalString(node, "output", "build.") ?? ".";
        if (output.StartsWith('/') || output.Split('/').Contains(".."))
            reader.ErrorAt(node, "output", $"'{output}' must be a relative path inside the repository", "build.");
        if (repository is { } repo && (repo.StartsWith('-') || repo.Any(char.IsControl)))
            reader.ErrorAt(node, "repository", $"'{repo}' is not a repository address git can fetch", "build.");
        var timeout = reader.OptionalInt(node, "timeout_seconds", 900, 10, 4 * 3600, "build.");
        var runsOn = reader.OptionalString(node, "runs_on", "build.") ?? BuildSpec.OnServer;
        if (runsOn is not (BuildSpec.OnServer or BuildSpec.OnBuilder))
            reader.ErrorAt(node, "runs_on", $"'{runsOn}' is not where a build runs: '{BuildSpec.OnServer}' or '{BuildSpec.OnBuilder}' (a host with the role '{BuildSpec.OnBuilder}')", "build.");
        return repository is null || command is null ? null : new BuildSpec(repository, command, output.TrimEnd('/'), timeout, runsOn);
    }

    public static TriggersSpec ReadTriggers(SpecNodeReader reader, YamlMappingNode root, IReadOnlyDictionary<string, EnvironmentSpec> environments, bool hasBuild)
    {
        var node = reader.OptionalMapping(root, "triggers");
        if (node is null)
            return TriggersSpec.None;
        reader.RejectUnknownKeys(node, ["branches", "tags"], "triggers.");
        if (!hasBuild)
            reader.ErrorAt(root, "triggers", "pushes build the app from source: 'triggers' needs a 'build' section");
        return new TriggersSpec(Map(reader, node, "branches", environments), Map(reader, node, "tags", environments));
    }

    private static List<(string, string)> Map(SpecNodeReader reader, YamlMappingNode node, string key, IReadOnlyDictionary<string, EnvironmentSpec> environments)
    {
        var result = new List<(string, string)>();
        foreach (var (pattern, environment) in reader.StringMap(node, key, "triggers."))
        {
            if (!environments.ContainsKey(environment))
                reader.ErrorAt(node, key, $"'{pattern}' maps to '{environment}', which is not an environment of this app", "triggers.");
            else if (pattern.Length == 0 || pattern.Any(char.IsControl) || pattern.StartsWith('-'))
                reader.ErrorAt(node, key, $"'{pattern}' is not a branch or tag pattern", "triggers.");
            else
                result.Add((pattern, environment));
        }
        return result;
    }
}
