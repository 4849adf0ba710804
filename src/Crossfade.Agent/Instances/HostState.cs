using System.Text.Json;

namespace Crossfade.Agent.Instances;

/// <summary>An app instance the agent runs: which release, which process, which port (web only).</summary>
public sealed record InstanceRecord(string Version, ProcessRef Process, int Port, DateTimeOffset StartedAt);

/// <summary>
/// The proxy process of an app on this host, with the HTTPS options it was started with (null: none), and the
/// app's site on it when several apps share its port by host name (null: the app's own proxy).
/// </summary>
public sealed record ProxyRecord(ProcessRef Process, int Port, int ControlPort, string? Tls = null, string? Site = null);

/// <summary>What the agent runs for one app.</summary>
public sealed class AppState
{
    public ProxyRecord? Proxy { get; set; }
    public InstanceRecord? Live { get; set; }
    public InstanceRecord? Candidate { get; set; }
    public InstanceRecord? Worker { get; set; }
    /// <summary>The instance that served before the last cutover, kept warm during the bake window for an instant rollback.</summary>
    public InstanceRecord? Previous { get; set; }
    /// <summary>How each app is run, kept so the supervisor can restart instances after an agent restart.</summary>
    public Contracts.V1.AppRuntime? Runtime { get; set; }
}

/// <summary>Everything the agent runs on this host, saved to <c>state.json</c> after every change.</summary>
public sealed class HostState
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public Dictionary<string, AppState> Apps { get; set; } = new(StringComparer.Ordinal);

    public AppState For(string app) => Apps.TryGetValue(app, out var s) ? s : Apps[app] = new AppState();

    public static HostState Load(string path)
    {
        if (!File.Exists(path))
            return new HostState();
        return JsonSerializer.Deserialize<HostState>(File.ReadAllText(path), Json) ?? new HostState();
    }

    public void Save(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }
}
