using System.Collections.Concurrent;
using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Artifacts;
using Crossfade.Core.Config;
using Crossfade.Core.Deploys;
using Crossfade.Core.Specs;
using Crossfade.Server.Api;
using Crossfade.Server.Releases;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Config;

/// <summary>
/// Turns an app's declared configuration into what each host converges: takes the snapshot a deploy
/// stores, validates it whole against a release (every error with file and line), and renders one
/// host's plan when its agent takes the step — the only moment secrets are decrypted.
/// </summary>
public sealed class ConfigService(IStore store, ArtifactStore artifacts, SecretVault vault)
{
    private readonly ConcurrentDictionary<(long, string), ConfigCompilation> _compiled = new();

    /// <summary>The configuration a deploy of <paramref name="version"/> would apply now; null when the app declares none.</summary>
    public async Task<ConfigSnapshot?> SnapshotAsync(AppSpec spec, string environment, string version, CancellationToken ct)
    {
        if (spec.Config is not { } config || !spec.Environments.ContainsKey(environment))
            return null;
        var secrets = SecretChoice.For(await store.ListSecretsAsync(spec.Name, ct), environment, config.Secrets.Contains);
        return new ConfigSnapshot(config.File, ConfigVariables.ForEnvironment(spec, environment, version), config.Secrets, secrets);
    }

    /// <summary>
    /// The configuration a deploy of this kind stores, checked whole against its release: a rollback
    /// takes the configuration that went out with the release it returns to; the others take the spec
    /// and secrets as they are now.
    /// </summary>
    public async Task<(ConfigSnapshot? Snapshot, IReadOnlyList<SpecErrorView> Errors)> CheckedSnapshotAsync(
        AppSpec spec, string environment, DeployKind kind, ReleaseRecord release, CancellationToken ct)
    {
        var snapshot = kind == DeployKind.Rollback
            ? await SnapshotOfAsync(spec.Name, environment, release.Version, ct) ?? await SnapshotAsync(spec, environment, release.Version, ct)
            : await SnapshotAsync(spec, environment, release.Version, ct);
        if (snapshot is null)
            return (null, []);
        var compiled = await CompileAsync(spec.Name, environment, snapshot, release, ct);
        return (snapshot, compiled.Errors.Select(e => new SpecErrorView(e.File, e.Line, e.Column, e.Field, e.Message)).ToList());
    }

    /// <summary>The configuration stored with the deploy that last put <paramref name="version"/> live.</summary>
    public async Task<ConfigSnapshot?> SnapshotOfAsync(string app, string environment, string version, CancellationToken ct)
    {
        var deployId = await store.GetLiveDeployIdAsync(app, environment, ct, version);
        var deploy = deployId is { } id ? await store.GetDeployAsync(id, ct) : null;
        return deploy?.ConfigJson is { } json ? JsonSerializer.Deserialize<ConfigSnapshot>(json, JsonBody.Options) : null;
    }

    /// <summary>Validates and renders a snapshot over a release's resources for every host.</summary>
    public async Task<ConfigCompilation> CompileAsync(string app, string environment, ConfigSnapshot snapshot, ReleaseRecord release, CancellationToken ct)
    {
        if (!artifacts.Exists(release.Sha256))
            return ConfigCompilation.Failed(new SpecError(snapshot.File, 0, 0, "(release)", $"the artifact of {release.Version} is missing from the server's store"));
        var path = artifacts.PathOf(release.Sha256);
        // The configuration is read from the stored artifact: it must be the one that was pushed.
        if (await Sha256Hex.OfFileAsync(path, ct) != release.Sha256)
            return ConfigCompilation.Failed(new SpecError(snapshot.File, 0, 0, "(release)",
                $"the artifact of {release.Version} in the server's store does not match its sha256 {release.Sha256[..12]}…: it is corrupt; push the release again"));
        try
        {
            return await CompileArtifactAsync(app, environment, snapshot, release, path, ct);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException)
        {
            return ConfigCompilation.Failed(new SpecError(snapshot.File, 0, 0, "(release)", $"the artifact of {release.Version} cannot be read as a .tar.gz: {ex.Message}"));
        }
    }

    private async Task<ConfigCompilation> CompileArtifactAsync(string app, string environment, ConfigSnapshot snapshot, ReleaseRecord release, string path, CancellationToken ct)
    {
        var (texts, tooLarge) = await ReleaseFiles.ReadAsync(path, [snapshot.File], ct);
        if (!texts.TryGetValue(snapshot.File, out var text))
            return ConfigCompilation.Failed(new SpecError("crossfade.yml", 0, 0, "config.file",
                tooLarge.Count > 0 ? $"'{snapshot.File}' in release {release.Version} is larger than {ReleaseFiles.MaxFileBytes} bytes" : $"release {release.Version} has no file '{snapshot.File}'"));
        var (file, errors) = ConfigFileParser.Parse(text, snapshot.File);
        if (file is null)
            return ConfigCompilation.Failed([.. errors]);
        var templates = await ReleaseFiles.ReadAsync(path, file.TemplatePaths.ToList(), ct);
        var large = templates.TooLarge.Select(t => new SpecError(t, 0, 0, "(template)", $"larger than {ReleaseFiles.MaxFileBytes} bytes")).ToList();
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, ciphertext) in snapshot.SecretCiphertexts)
            if (vault.Unprotect(app, ciphertext) is { } value)
                secrets[name] = value;
        var hint = $"set it with 'crossfade secret set {app} {{name}} --env {environment}' (or without --env for every environment)";
        var (hosts, compileErrors) = ConfigCompiler.Compile(file, templates.Texts, snapshot.VariablesByHost, secrets, snapshot.DeclaredSecrets, hint);
        return large.Count > 0 || hosts is null
            ? ConfigCompilation.Failed([.. large, .. compileErrors])
            : new ConfigCompilation(hosts, []);
    }

    /// <summary>The plan of one converge step, rendered for its host when the agent takes it; or why there can be none.</summary>
    public async Task<(ConvergePlan? Plan, string? Error)> PlanForAsync(StepRecord step, StepPayload payload, CancellationToken ct)
    {
        var config = payload.Config!;
        if (!_compiled.TryGetValue((config.SnapshotDeployId, payload.Version), out var compiled))
        {
            compiled = await CompileStoredAsync(config.SnapshotDeployId, payload.App, payload.Version, ct);
            if (_compiled.Count > 64)
                _compiled.Clear();
            _compiled[(config.SnapshotDeployId, payload.Version)] = compiled;
        }
        if (compiled.Hosts is null || !compiled.Hosts.TryGetValue(step.Host, out var host))
            return (null, compiled.Errors.Count > 0 ? string.Join("; ", compiled.Errors.Take(3)) : $"{step.Host} is not a host of this environment");
        var redact = host.Redact.Concat(await LiveValuesAsync(step.DeployId, payload.App, host.SecretsUsed, ct)).Distinct().ToList();
        return (new ConvergePlan(host.Resources, config.WhyRun, config.ReloadMode, redact), null);
    }

    /// <summary>
    /// The values the host's secrets have in the configuration live now: a diff shows the old line too,
    /// and a rotated secret's old value must be masked as well. Only secrets this host uses, whose old
    /// values it was given before.
    /// </summary>
    private async Task<IEnumerable<string>> LiveValuesAsync(long deployId, string app, IReadOnlyList<string> names, CancellationToken ct)
    {
        if (names.Count == 0 || await store.GetDeployAsync(deployId, ct) is not { } deploy
            || await store.GetLiveDeployIdAsync(app, deploy.Environment, ct) is not { } liveId
            || await store.GetDeployAsync(liveId, ct) is not { ConfigJson: { } json })
            return [];
        var live = JsonSerializer.Deserialize<ConfigSnapshot>(json, JsonBody.Options)!;
        return live.SecretCiphertexts.Where(s => names.Contains(s.Key)).Select(s => vault.Unprotect(app, s.Value)).OfType<string>();
    }

    private async Task<ConfigCompilation> CompileStoredAsync(long snapshotDeployId, string app, string version, CancellationToken ct)
    {
        var deploy = await store.GetDeployAsync(snapshotDeployId, ct);
        var release = await store.GetReleaseAsync(app, version, ct);
        if (deploy?.ConfigJson is null || release is null)
            return ConfigCompilation.Failed(new SpecError("crossfade.yml", 0, 0, "config", $"deploy {snapshotDeployId} stored no configuration for {version}"));
        var snapshot = JsonSerializer.Deserialize<ConfigSnapshot>(deploy.ConfigJson, JsonBody.Options)!;
        return await CompileAsync(app, deploy.Environment, snapshot, release, ct);
    }
}

/// <summary>A compiled configuration: every host's resources, or every error that prevents it.</summary>
public sealed record ConfigCompilation(IReadOnlyDictionary<string, HostConfig>? Hosts, IReadOnlyList<SpecError> Errors)
{
    public static ConfigCompilation Failed(params SpecError[] errors) => new(null, errors);
}
