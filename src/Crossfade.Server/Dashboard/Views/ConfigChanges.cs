using Crossfade.Contracts.V1;
using Crossfade.Core.Config;
using Crossfade.Server.Config;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Dashboard.Views;

/// <summary>A variable of one host that differs between two configurations (variables are not secret; secrets are never here).</summary>
public sealed record VariableChange(string Host, string Name, string? Before, string? After);

/// <summary>A secret that differs: its name and how (added, removed, changed) — never its value.</summary>
public sealed record SecretChange(string Name, string Change);

/// <summary>A rendered resource of one host that differs, with a unified diff whose secret values are masked.</summary>
public sealed record FileChange(string Host, string Resource, string Change, string? Diff);

/// <summary>What changes in the configuration from one deploy (or the live one) to another.</summary>
public sealed record ConfigChanges(
    bool Declared, IReadOnlyList<VariableChange> Variables, IReadOnlyList<SecretChange> Secrets, IReadOnlyList<FileChange> Files,
    IReadOnlyList<string> Errors)
{
    public static readonly ConfigChanges None = new(false, [], [], [], []);

    public bool Any => Variables.Count + Secrets.Count + Files.Count > 0;
}

/// <summary>
/// Compares two stored configurations: variables by host, secrets by name (their ciphertexts), and every
/// host's rendered files — rendered here from each release as its agents would, with secret values masked.
/// </summary>
public static class ConfigDiffer
{
    public static async Task<ConfigChanges> BetweenAsync(
        ConfigService config, string app, string environment,
        (ConfigSnapshot? Snapshot, ReleaseRecord? Release) before, (ConfigSnapshot? Snapshot, ReleaseRecord? Release) after, CancellationToken ct)
    {
        if (before.Snapshot is null && after.Snapshot is null)
            return ConfigChanges.None;
        var variables = Variables(before.Snapshot, after.Snapshot);
        var secrets = Secrets(before.Snapshot, after.Snapshot);
        var errors = new List<string>();
        var oldHosts = await CompileAsync(config, app, environment, before, "before", errors, ct);
        var newHosts = await CompileAsync(config, app, environment, after, "after", errors, ct);
        var files = new List<FileChange>();
        foreach (var host in oldHosts.Keys.Union(newHosts.Keys).Order(StringComparer.Ordinal))
        {
            var was = oldHosts.GetValueOrDefault(host);
            var now = newHosts.GetValueOrDefault(host);
            // The agents' own masking (every encoded form, each line of a multi-line secret, the old line of a diff too).
            var redactor = new Redactor((was?.Redact ?? []).Concat(now?.Redact ?? []));
            var oldById = (was?.Resources ?? []).ToDictionary(r => r.Id);
            var newById = (now?.Resources ?? []).ToDictionary(r => r.Id);
            foreach (var id in oldById.Keys.Union(newById.Keys).Order(StringComparer.Ordinal))
            {
                oldById.TryGetValue(id, out var o);
                newById.TryGetValue(id, out var n);
                if (o is not null && n is not null && o == n)
                    continue;
                if (o is not null && n is not null && Same(o, n))
                    continue;
                var change = o is null ? "added" : n is null ? "removed" : "changed";
                var diff = (o?.Content ?? n?.Content) is null ? null
                    : redactor.ApplyToDiff(UnifiedDiff.Of(o?.Content, n?.Content ?? "", (n ?? o)!.Path));
                files.Add(new FileChange(host, id, change, diff));
            }
        }
        return new ConfigChanges(true, variables, secrets, files, errors);
    }

    private static bool Same(ConvergeResource a, ConvergeResource b) =>
        a with { Notifies = null } == b with { Notifies = null } && (a.Notifies ?? []).SequenceEqual(b.Notifies ?? []);

    private static async Task<IReadOnlyDictionary<string, HostConfig>> CompileAsync(
        ConfigService config, string app, string environment, (ConfigSnapshot? Snapshot, ReleaseRecord? Release) side, string name,
        List<string> errors, CancellationToken ct)
    {
        if (side.Snapshot is null || side.Release is null)
            return new Dictionary<string, HostConfig>();
        var compiled = await config.CompileAsync(app, environment, side.Snapshot, side.Release, ct);
        errors.AddRange(compiled.Errors.Select(e => $"{name} ({side.Release.Version}): {e.File}:{e.Line} {e.Message}"));
        return compiled.Hosts ?? new Dictionary<string, HostConfig>();
    }

    private static List<VariableChange> Variables(ConfigSnapshot? before, ConfigSnapshot? after)
    {
        var changes = new List<VariableChange>();
        var oldHosts = before?.VariablesByHost ?? new Dictionary<string, IReadOnlyDictionary<string, string>>();
        var newHosts = after?.VariablesByHost ?? new Dictionary<string, IReadOnlyDictionary<string, string>>();
        foreach (var host in oldHosts.Keys.Union(newHosts.Keys).Order(StringComparer.Ordinal))
        {
            var o = oldHosts.GetValueOrDefault(host) ?? new Dictionary<string, string>();
            var n = newHosts.GetValueOrDefault(host) ?? new Dictionary<string, string>();
            foreach (var name in o.Keys.Union(n.Keys).Order(StringComparer.Ordinal))
            {
                var was = o.GetValueOrDefault(name);
                var now = n.GetValueOrDefault(name);
                if (was != now)
                    changes.Add(new VariableChange(host, name, was, now));
            }
        }
        return changes;
    }

    private static List<SecretChange> Secrets(ConfigSnapshot? before, ConfigSnapshot? after)
    {
        var o = before?.SecretCiphertexts ?? new Dictionary<string, string>();
        var n = after?.SecretCiphertexts ?? new Dictionary<string, string>();
        return o.Keys.Union(n.Keys).Order(StringComparer.Ordinal)
            .Select(name => (name, was: o.GetValueOrDefault(name), now: n.GetValueOrDefault(name)))
            .Where(s => s.was != s.now)
            .Select(s => new SecretChange(s.name, s.was is null ? "added" : s.now is null ? "removed" : "changed"))
            .ToList();
    }
}
