using System.Text.RegularExpressions;
using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Crossfade.Core.Config;

/// <summary>
/// Reads an app's config file (the resources it converges on every host) and reports every error
/// with its file and line: unknown types and keys, bad modes, duplicate paths, unknown notify targets.
/// </summary>
public static partial class ConfigFileParser
{
    private static readonly string[] Types = [ResourceTypes.File, ResourceTypes.Directory, ResourceTypes.Link, ResourceTypes.Command];

    private static readonly Dictionary<string, string[]> KeysByType = new()
    {
        [ResourceTypes.File] = ["file", "content", "template", "mode", "notifies"],
        [ResourceTypes.Directory] = ["directory", "mode", "notifies"],
        [ResourceTypes.Link] = ["link", "to", "notifies"],
        [ResourceTypes.Command] = ["command", "run", "creates", "unless", "only_if", "action", "notifies"],
    };

    public static (ConfigFile? File, IReadOnlyList<SpecError> Errors) Parse(string yaml, string file)
    {
        var errors = new SpecErrorList(file);
        var root = Load(yaml, errors);
        if (root is null)
            return (null, errors.Items);
        var reader = new SpecNodeReader(errors);
        reader.RejectUnknownKeys(root, ["resources"], "");
        if (!root.Children.TryGetValue(new YamlScalarNode("resources"), out var list) || list is not YamlSequenceNode items)
        {
            reader.Error(root, "resources", "is required: a list of resources (file, directory, link, command)");
            return (null, errors.Items);
        }
        var resources = new List<ResourceDecl>();
        foreach (var (item, index) in items.Children.Select((n, i) => (n, i)))
        {
            if (ReadResource(reader, item, $"resources[{index}]") is { } resource)
                resources.Add(resource);
        }
        CheckUnique(errors, resources);
        CheckNotifies(errors, resources);
        return errors.Items.Count > 0 ? (null, errors.Items) : (new ConfigFile(file, resources), errors.Items);
    }

    private static YamlMappingNode? Load(string yaml, SpecErrorList errors)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode map)
                return map;
            errors.Add(1, 1, "(document)", "the config file must be a mapping with a 'resources' list");
        }
        catch (YamlException ex)
        {
            errors.Add((int)ex.Start.Line, (int)ex.Start.Column, "(syntax)", ex.InnerException?.Message ?? ex.Message);
        }
        catch (InvalidOperationException)
        {
            errors.Add(1, 1, "(syntax)", "the YAML could not be read: look for an unclosed '[', '{' or quote");
        }
        return null;
    }

    private static ResourceDecl? ReadResource(SpecNodeReader reader, YamlNode node, string field)
    {
        if (node is not YamlMappingNode map || map.Children.Count == 0)
        {
            reader.Error(node, field, "must be a mapping that starts with its type: file, directory, link or command");
            return null;
        }
        var typeKey = (map.Children.Keys.First() as YamlScalarNode)?.Value ?? "";
        if (!Types.Contains(typeKey))
        {
            reader.Error(map.Children.Keys.First(), field, $"unknown resource type '{typeKey}' (known: {string.Join(", ", Types)})");
            return null;
        }
        var prefix = field + ".";
        reader.RejectUnknownKeys(map, KeysByType[typeKey], prefix);
        var name = reader.RequiredString(map, typeKey, prefix);
        if (name is null)
            return null;
        var line = (int)map.Start.Line;
        var column = (int)map.Start.Column;
        if (typeKey != ResourceTypes.Command && !IsSafePath(name))
            reader.ErrorAt(map, typeKey, $"'{name}' must be an absolute path or a relative path without '..'", prefix);
        if (typeKey == ResourceTypes.Command && !CommandName().IsMatch(name))
            reader.ErrorAt(map, typeKey, "a command's name is letters, digits, '-', '_' and '.'", prefix);
        var mode = reader.OptionalString(map, "mode", prefix);
        if (mode is not null && !ModePattern().IsMatch(mode))
            reader.ErrorAt(map, "mode", $"'{mode}' is not a file mode: write it as octal digits in quotes, like \"0644\"", prefix);
        var notifies = map.Children.ContainsKey(new YamlScalarNode("notifies"))
            ? reader.ScalarList(map.Children[new YamlScalarNode("notifies")], prefix + "notifies")
            : [];
        return typeKey switch
        {
            ResourceTypes.File => ReadFile(reader, map, prefix, name, line, column, mode, notifies),
            ResourceTypes.Directory => new ResourceDecl(typeKey, name, line, column, Mode: mode, Notifies: notifies),
            ResourceTypes.Link => new ResourceDecl(typeKey, name, line, column, Target: Required(reader, map, "to", prefix, "the path the link points to"), Notifies: notifies),
            _ => ReadCommand(reader, map, prefix, name, line, column, notifies),
        };
    }

    private static ResourceDecl ReadFile(SpecNodeReader reader, YamlMappingNode map, string prefix, string name, int line, int column, string? mode, List<string> notifies)
    {
        var content = map.Children.TryGetValue(new YamlScalarNode("content"), out var c) ? (c as YamlScalarNode)?.Value ?? "" : null;
        var template = reader.OptionalString(map, "template", prefix);
        if ((content is null) == (template is null))
            reader.Error(map, prefix + "file", "needs exactly one of 'content' (literal text) or 'template' (a file in the release rendered with variables)");
        if (template is not null && !IsSafePath(template, allowAbsolute: false))
            reader.ErrorAt(map, "template", $"'{template}' must be a relative path inside the release", prefix);
        return new ResourceDecl(ResourceTypes.File, name, line, column, Content: content, Template: template, Mode: mode, Notifies: notifies);
    }

    private static ResourceDecl ReadCommand(SpecNodeReader reader, YamlMappingNode map, string prefix, string name, int line, int column, List<string> notifies)
    {
        var action = reader.OptionalString(map, "action", prefix) ?? "run";
        if (action is not ("run" or "nothing"))
            reader.ErrorAt(map, "action", $"'{action}' is not an action: 'run' (every converge, guards permitting) or 'nothing' (only when notified)", prefix);
        return new ResourceDecl(ResourceTypes.Command, name, line, column,
            Run: Required(reader, map, "run", prefix, "the shell command to run"),
            Creates: reader.OptionalString(map, "creates", prefix),
            Unless: reader.OptionalString(map, "unless", prefix),
            OnlyIf: reader.OptionalString(map, "only_if", prefix),
            OnlyWhenNotified: action == "nothing",
            Notifies: notifies);
    }

    private static string? Required(SpecNodeReader reader, YamlMappingNode map, string key, string prefix, string what)
    {
        var value = reader.OptionalString(map, key, prefix);
        if (value is null && !map.Children.ContainsKey(new YamlScalarNode(key)))
            reader.Error(map, prefix + key, $"is required: {what}");
        return value;
    }

    private static void CheckUnique(SpecErrorList errors, List<ResourceDecl> resources)
    {
        var seen = new Dictionary<string, ResourceDecl>(StringComparer.Ordinal);
        foreach (var r in resources)
        {
            var key = r.Type == ResourceTypes.Command ? "command:" + r.Name : "path:" + NormalizePath(r.Name);
            if (seen.TryGetValue(key, out var first))
                errors.Add(r.Line, r.Column, r.Id,
                    r.Type == ResourceTypes.Command
                        ? $"a second command named '{r.Name}' (the first is on line {first.Line})"
                        : $"the path '{r.Name}' is declared twice (first as {first.Id} on line {first.Line})");
            else
                seen[key] = r;
        }
    }

    private static void CheckNotifies(SpecErrorList errors, List<ResourceDecl> resources)
    {
        var commands = resources.Where(r => r.Type == ResourceTypes.Command).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var r in resources)
            foreach (var target in r.Notifies ?? [])
            {
                if (target == NotifyTargets.Reload)
                    continue;
                if (!NotifyTargets.IsCommand(target, out var name))
                    errors.Add(r.Line, r.Column, r.Id + ".notifies", $"'{target}' is not a notify target: use 'reload' (the app) or 'command:<name>'");
                else if (!commands.Contains(name))
                    errors.Add(r.Line, r.Column, r.Id + ".notifies", $"no command named '{name}' is declared");
                else if (r.Type == ResourceTypes.Command && r.Name == name)
                    errors.Add(r.Line, r.Column, r.Id + ".notifies", "a command cannot notify itself");
            }
    }

    internal static string NormalizePath(string path) =>
        (path.StartsWith('/') ? "/" : "") + string.Join('/', path.Split('/').Where(part => part is not ("" or ".")));

    private static bool IsSafePath(string path, bool allowAbsolute = true) =>
        path.Length > 0 && (allowAbsolute || !path.StartsWith('/')) && !path.Split('/').Contains("..") && !path.Contains('\0');

    [GeneratedRegex(@"^0?[0-7]{3}\z")]
    private static partial Regex ModePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,64}\z")]
    private static partial Regex CommandName();
}
