using Crossfade.Core.Naming;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using Crossfade.Core.Config;
using YamlDotNet.RepresentationModel;

namespace Crossfade.Core.Specs;

/// <summary>
/// Reads <c>crossfade.yml</c> and validates it, collecting every error with its line and column
/// instead of stopping at the first one.
/// </summary>
public static partial class AppSpecParser
{
    private static readonly HashSet<string> TopLevelKeys = new(StringComparer.Ordinal)
    {
        "app", "run", "worker", "migrate", "health", "proxy", "drain_seconds", "keep_releases", "shared", "env", "environments", "checks", "bake_seconds", "config", "logs", "judge", "worker_settle_seconds", "build", "triggers",
    };

    public static SpecParseResult Parse(string yaml, string file = "crossfade.yml")
    {
        var errors = new SpecErrorList(file);
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
            {
                errors.Add(1, 1, "(document)", "the spec must be a YAML mapping with at least 'app' and 'run'");
                return new SpecParseResult(null, errors.Items);
            }
            root = map;
        }
        catch (YamlException ex)
        {
            errors.Add((int)ex.Start.Line, (int)ex.Start.Column, "(syntax)", ex.InnerException?.Message ?? ex.Message);
            return new SpecParseResult(null, errors.Items);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, on some unterminated flow collections.
            errors.Add(1, 1, "(syntax)", "the YAML could not be read: look for an unclosed '[', '{' or quote");
            return new SpecParseResult(null, errors.Items);
        }

        var reader = new SpecNodeReader(errors);
        reader.RejectUnknownKeys(root, TopLevelKeys, "");

        var name = reader.RequiredString(root, "app");
        if (name is not null && !FolderNames.IsName(name))
            reader.ErrorAt(root, "app", $"app names are {FolderNames.NameRule}");
        var run = reader.RequiredString(root, "run");
        var worker = reader.OptionalString(root, "worker");
        var migrate = reader.OptionalString(root, "migrate");
        var health = ReadHealth(reader, root);
        var (proxyPort, proxyTls, proxyHosts) = ProxySpecReader.Read(reader, root);
        var drain = reader.OptionalInt(root, "drain_seconds", 30, 0, 3600);
        var keep = reader.OptionalInt(root, "keep_releases", 5, 2, 100);
        var bake = reader.OptionalInt(root, "bake_seconds", 0, 0, 86400);
        // How long a new worker must stay up before its host's activate succeeds (a worker has no health
        // endpoint: one that exits at once on a bad setting is caught here, not by its first job).
        var settle = reader.OptionalDouble(root, "worker_settle_seconds", 1, 0, 60);
        var shared = reader.StringList(root, "shared");
        foreach (var path in shared)
            if (path.StartsWith('/') || path.Split('/').Contains(".."))
                reader.ErrorAt(root, "shared", $"'{path}' must be a relative path inside the release");
        var env = reader.StringMap(root, "env");
        var environments = ReadEnvironments(reader, root, worker);
        var checks = CheckSpecReader.Read(reader, root);
        var config = ConfigSpecReader.Read(reader, root);
        ConfigSpecReader.CheckNames(reader, root, config, environments);
        var logs = LogsSpecReader.Read(reader, root);
        var judge = JudgeSpecReader.Read(reader, root);
        var build = BuildSpecReader.ReadBuild(reader, root);
        var triggers = BuildSpecReader.ReadTriggers(reader, root, environments, build is not null);

        if (errors.Items.Count > 0)
            return new SpecParseResult(null, errors.Items);
        return new SpecParseResult(
            new AppSpec(name!, run!, worker, migrate, health, proxyPort, drain, keep, shared, env, environments, checks, bake, config, logs, judge, settle, build, triggers, proxyTls, proxyHosts),
            errors.Items);
    }

    private static HealthSpec ReadHealth(SpecNodeReader reader, YamlMappingNode root)
    {
        var node = reader.OptionalMapping(root, "health");
        if (node is null)
            return new HealthSpec("/health", 30);
        reader.RejectUnknownKeys(node, ["path", "timeout_seconds"], "health.");
        var path = reader.OptionalString(node, "path", "health.") ?? "/health";
        if (!path.StartsWith('/'))
            reader.ErrorAt(node, "path", "must start with '/'", "health.");
        return new HealthSpec(path, reader.OptionalInt(node, "timeout_seconds", 30, 1, 600, "health."));
    }

    private static Dictionary<string, EnvironmentSpec> ReadEnvironments(SpecNodeReader reader, YamlMappingNode root, string? worker)
    {
        var result = new Dictionary<string, EnvironmentSpec>(StringComparer.Ordinal);
        var node = reader.OptionalMapping(root, "environments");
        if (node is null)
        {
            reader.ErrorAt(root, "environments", "at least one environment with its hosts is required", required: true);
            return result;
        }
        foreach (var (keyNode, value) in node.Children)
        {
            var envName = ((YamlScalarNode)keyNode).Value ?? "";
            var prefix = $"environments.{envName}.";
            if (!FolderNames.IsName(envName))
                reader.Error(keyNode, $"environments.{envName}", $"environment names are {FolderNames.NameRule}");
            if (value is not YamlMappingNode envMap)
            {
                reader.Error(value, $"environments.{envName}", "must be a mapping with 'hosts'");
                continue;
            }
            reader.RejectUnknownKeys(envMap, ["hosts", "variables", "exporters", "requires", "during_freeze", "notify"], prefix);
            var hosts = ReadHosts(reader, envMap, prefix);
            var variables = reader.StringMap(envMap, "variables", prefix);
            if (hosts.Count > 0 && !hosts.Any(h => h.Has(HostRoles.Web)) && !hosts.Any(h => h.Has(HostRoles.Worker)))
                reader.Error(envMap, prefix + "hosts", "no host has the 'web' or 'worker' role, so nothing would run");
            if (worker is null && hosts.Any(h => h.Has(HostRoles.Worker)))
                reader.Error(envMap, prefix + "hosts", "a host has the 'worker' role but the app declares no 'worker' command");
            var policy = reader.OptionalString(envMap, "during_freeze", prefix) switch
            {
                null or "queue" => FreezePolicy.Queue,
                "refuse" => FreezePolicy.Refuse,
                var other => Invalid(other),
            };
            FreezePolicy Invalid(string value)
            {
                reader.ErrorAt(envMap, "during_freeze", $"is 'queue' or 'refuse', not '{value}'", prefix);
                return FreezePolicy.Queue;
            }
            result[envName] = new EnvironmentSpec(envName, hosts, variables, ReadExporters(reader, envMap, prefix), reader.StringList(envMap, "requires"), policy,
                NotifySpecReader.Read(reader, envMap, prefix));
        }
        CheckPromotions(reader, node, result);
        return result;
    }

    /// <summary>Every environment a <c>requires:</c> names exists, is not the one naming it, and no two require each other round.</summary>
    private static void CheckPromotions(SpecNodeReader reader, YamlMappingNode node, Dictionary<string, EnvironmentSpec> environments)
    {
        foreach (var (name, env) in environments)
        {
            foreach (var required in env.RequiredBefore)
            {
                if (required == name || !environments.ContainsKey(required))
                    reader.ErrorAt((YamlMappingNode)node[name], "requires",
                        required == name ? "an environment cannot require itself" : $"names '{required}', which is not an environment of this app", $"environments.{name}.");
            }
            var seen = new HashSet<string>(StringComparer.Ordinal) { name };
            var next = new Queue<string>(env.RequiredBefore);
            while (next.TryDequeue(out var step))
            {
                if (step == name)
                {
                    reader.ErrorAt((YamlMappingNode)node[name], "requires", "goes round in a circle: no release could ever deploy here", $"environments.{name}.");
                    break;
                }
                if (seen.Add(step) && environments.TryGetValue(step, out var stepEnv))
                    foreach (var further in stepEnv.RequiredBefore)
                        next.Enqueue(further);
            }
        }
    }

    private static ExportersSpec? ReadExporters(SpecNodeReader reader, YamlMappingNode envMap, string prefix)
    {
        var node = reader.OptionalMapping(envMap, "exporters", prefix);
        if (node is null)
            return null;
        var at = prefix + "exporters.";
        reader.RejectUnknownKeys(node, ["datadog_events", "datadog_api_key_secret", "elasticsearch_bulk", "elasticsearch_index", "elasticsearch_api_key_secret"], at);
        Uri? Url(string key)
        {
            var text = reader.OptionalString(node, key, at);
            if (text is null)
                return null;
            if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
                return url;
            reader.ErrorAt(node, key, $"'{text}' is not an http(s) URL", at);
            return null;
        }
        string? Secret(string key, string endpoint)
        {
            var name = reader.OptionalString(node, key, at);
            if (name is not null && !SecretName().IsMatch(name))
                reader.ErrorAt(node, key, $"'{name}' is not a secret name (letters, digits and '_', starting with a letter)", at);
            else if (name is not null && reader.OptionalString(node, endpoint, at) is null)
                reader.ErrorAt(node, key, $"names the API key of '{endpoint}', which is not set", at);
            return name;
        }
        return new ExportersSpec(Url("datadog_events"), Url("elasticsearch_bulk"), reader.OptionalString(node, "elasticsearch_index", at) ?? "crossfade-logs",
            Secret("datadog_api_key_secret", "datadog_events"), Secret("elasticsearch_api_key_secret", "elasticsearch_bulk"));
    }

    private static List<HostSpec> ReadHosts(SpecNodeReader reader, YamlMappingNode envMap, string prefix)
    {
        var hosts = new List<HostSpec>();
        var hostsNode = reader.OptionalMapping(envMap, "hosts", prefix);
        if (hostsNode is null)
        {
            reader.Error(envMap, prefix + "hosts", "is required: a mapping of host name to its roles");
            return hosts;
        }
        foreach (var (hostKey, hostNode) in hostsNode.Children)
        {
            var hostName = ((YamlScalarNode)hostKey).Value ?? "";
            var field = $"{prefix}hosts.{hostName}";
            // A host is its list of roles, or a mapping of roles and the variables only it has.
            var rolesNode = hostNode;
            Dictionary<string, string>? variables = null;
            if (hostNode is YamlMappingNode hostMap)
            {
                reader.RejectUnknownKeys(hostMap, ["roles", "variables"], field + ".");
                rolesNode = hostMap.Children.TryGetValue(new YamlScalarNode("roles"), out var r) ? r : new YamlSequenceNode();
                variables = reader.StringMap(hostMap, "variables", field + ".");
            }
            if (!FolderNames.IsName(hostName))
                reader.Error(hostKey, field, $"host names are {FolderNames.NameRule}");
            var roles = reader.ScalarList(rolesNode, field);
            foreach (var role in roles.Where(r => !HostRoles.All.Contains(r)))
                reader.Error(rolesNode, field, $"unknown role '{role}' (known: web, worker, migrator)");
            if (roles.Count == 0)
                reader.Error(rolesNode, field, "needs at least one role");
            hosts.Add(new HostSpec(hostName, roles.Distinct().ToList(), variables));
        }
        return hosts;
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]{0,63}\z")]
    private static partial Regex SecretName();
}
