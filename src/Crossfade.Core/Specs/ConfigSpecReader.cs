using System.Text.RegularExpressions;
using Crossfade.Core.Config;
using YamlDotNet.RepresentationModel;

namespace Crossfade.Core.Specs;

/// <summary>Reads the <c>config:</c> section of the spec and checks the variable names on every level.</summary>
internal static partial class ConfigSpecReader
{
    public static ConfigDeclaration? Read(SpecNodeReader reader, YamlMappingNode root)
    {
        var node = reader.OptionalMapping(root, "config");
        if (node is null)
            return null;
        reader.RejectUnknownKeys(node, ["file", "variables", "secrets"], "config.");
        var file = reader.RequiredString(node, "file", "config.");
        if (file is not null && (file.StartsWith('/') || file.Split('/').Contains("..")))
            reader.ErrorAt(node, "file", $"'{file}' must be a relative path inside the release", "config.");
        var variables = reader.StringMap(node, "variables", "config.");
        var secrets = node.Children.TryGetValue(new YamlScalarNode("secrets"), out var s) ? reader.ScalarList(s, "config.secrets") : [];
        foreach (var secret in secrets.Where(n => !NamePattern().IsMatch(n)))
            reader.Error(s!, "config.secrets", $"'{secret}' is not a secret name (letters, digits and '_', starting with a letter)");
        foreach (var clash in secrets.Where(variables.ContainsKey))
            reader.Error(s!, "config.secrets", $"'{clash}' is both a variable and a secret: a secret's value lives only on the server");
        return file is null ? null : new ConfigDeclaration(file, variables, secrets.Distinct().ToList(), (int)node.Start.Line);
    }

    /// <summary>Variables are only meaningful with a config to render, and their names must be usable in a template.</summary>
    public static void CheckNames(SpecNodeReader reader, YamlMappingNode root, ConfigDeclaration? config, IReadOnlyDictionary<string, EnvironmentSpec> environments)
    {
        var names = (config?.Variables.Keys ?? [])
            .Concat(environments.Values.SelectMany(e => (e.Variables?.Keys ?? []).Concat(e.Hosts.SelectMany(h => h.Variables?.Keys ?? []))))
            .Distinct();
        foreach (var name in names)
        {
            if (!NamePattern().IsMatch(name))
                reader.Error(root, "variables", $"'{name}' is not a variable name (letters, digits and '_', starting with a letter)");
            else if (ConfigVariables.BuiltIn.Contains(name))
                reader.Error(root, "variables", $"'{name}' is set by Crossfade itself (built in: {string.Join(", ", ConfigVariables.BuiltIn)})");
            else if (config?.Secrets.Contains(name) == true)
                reader.Error(root, "variables", $"'{name}' is declared as a secret: its value is set on the server, not in the spec");
        }
        if (config is null && environments.Values.Any(e => e.Variables is { Count: > 0 } || e.Hosts.Any(h => h.Variables is { Count: > 0 })))
            reader.Error(root, "config", "variables are declared but there is no 'config.file' to use them");
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*\z")]
    private static partial Regex NamePattern();
}
