using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;

namespace Crossfade.Core.Config;

/// <summary>
/// Renders an app's config for every host of an environment, or reports every reason it cannot: a
/// template missing from the release, a variable with no value on some host, a secret never set.
/// Pure: the caller loads the files and decrypts the secrets. Nothing reaches a host unless the whole
/// environment compiles.
/// </summary>
public static class ConfigCompiler
{
    public static (IReadOnlyDictionary<string, HostConfig>? Hosts, IReadOnlyList<SpecError> Errors) Compile(
        ConfigFile file,
        IReadOnlyDictionary<string, string> templateTexts,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> variablesByHost,
        IReadOnlyDictionary<string, string> secrets,
        IReadOnlyCollection<string> declaredSecrets,
        string secretHint)
    {
        var errors = new List<SpecError>();
        var templates = ParseTemplates(file, templateTexts, errors);
        var inline = file.Resources.ToDictionary(r => r.Id, r => ParseInline(file.Path, r, errors));
        if (errors.Count > 0)
            return (null, errors);

        var hosts = new Dictionary<string, HostConfig>(StringComparer.Ordinal);
        var missing = new Dictionary<(string File, int Line, int Column, string Name), List<string>>();
        foreach (var (host, hostVariables) in variablesByHost)
        {
            var values = new Dictionary<string, string>(hostVariables, StringComparer.Ordinal);
            foreach (var (name, value) in secrets)
                values[name] = value;
            var used = new HashSet<string>(StringComparer.Ordinal);
            string Fill(Template template)
            {
                var (text, absent) = template.Render(values);
                foreach (var name in absent)
                {
                    var at = template.Variables.First(v => v.Name == name);
                    var key = (template.File, at.Line, at.Column, name);
                    (missing.TryGetValue(key, out var list) ? list : missing[key] = []).Add(host);
                }
                used.UnionWith(template.Variables.Select(v => v.Name).Where(declaredSecrets.Contains));
                return text;
            }

            var resources = new List<ConvergeResource>();
            foreach (var r in file.Resources)
            {
                var parts = inline[r.Id];
                string? Part(string key) => parts.TryGetValue(key, out var t) ? Fill(t) : null;
                resources.Add(new ConvergeResource(
                    r.Id, r.Type, r.Name,
                    Content: r.Template is not null ? Fill(templates[r.Template]) : r.Content,
                    Mode: r.Mode, Target: r.Target,
                    Run: Part("run"), Creates: Part("creates"), Unless: Part("unless"), OnlyIf: Part("only_if"),
                    OnlyWhenNotified: r.OnlyWhenNotified, Notifies: r.Notifies ?? []));
            }
            var redact = used.Where(secrets.ContainsKey).Select(s => secrets[s]).Where(v => v.Length > 0).Distinct().ToList();
            hosts[host] = new HostConfig(resources, redact, used.Order(StringComparer.Ordinal).ToList());
        }

        foreach (var ((path, line, column, name), lacking) in missing.OrderBy(m => m.Key.File).ThenBy(m => m.Key.Line))
        {
            var message = declaredSecrets.Contains(name)
                ? $"the secret '{name}' has no value; {secretHint.Replace("{name}", name, StringComparison.Ordinal)}"
                : $"the variable '{name}' has no value on {Describe(lacking, variablesByHost.Count)}";
            errors.Add(new SpecError(path, line, column, $"{{{{ {name} }}}}", message));
        }
        return errors.Count > 0 ? (null, errors) : (hosts, errors);
    }

    private static string Describe(List<string> hosts, int total) =>
        hosts.Count == total ? $"any host ({string.Join(", ", hosts.Order(StringComparer.Ordinal))})" : $"host{(hosts.Count > 1 ? "s" : "")} {string.Join(", ", hosts.Order(StringComparer.Ordinal))}";

    private static Dictionary<string, Template> ParseTemplates(ConfigFile file, IReadOnlyDictionary<string, string> texts, List<SpecError> errors)
    {
        var templates = new Dictionary<string, Template>(StringComparer.Ordinal);
        foreach (var r in file.Resources.Where(r => r.Template is not null))
        {
            if (templates.ContainsKey(r.Template!))
                continue;
            if (!texts.TryGetValue(r.Template!, out var text))
            {
                errors.Add(new SpecError(file.Path, r.Line, r.Column, r.Id + ".template", $"the template '{r.Template}' is not in the release"));
                continue;
            }
            var (template, templateErrors) = Template.Parse(text, r.Template!);
            errors.AddRange(templateErrors);
            if (template is not null)
                templates[r.Template!] = template;
        }
        return templates;
    }

    private static Dictionary<string, Template> ParseInline(string path, ResourceDecl r, List<SpecError> errors)
    {
        var parts = new Dictionary<string, Template>(StringComparer.Ordinal);
        foreach (var (key, text) in new[] { ("run", r.Run), ("creates", r.Creates), ("unless", r.Unless), ("only_if", r.OnlyIf) })
        {
            if (text is null)
                continue;
            // Inline text is reported at its resource's line: YAML does not keep a scalar's inner lines.
            var (template, templateErrors) = Template.Parse(text, path, r.Line);
            errors.AddRange(templateErrors.Select(e => e with { Field = $"{r.Id}.{key}" }));
            if (template is not null)
                parts[key] = template;
        }
        return parts;
    }
}
