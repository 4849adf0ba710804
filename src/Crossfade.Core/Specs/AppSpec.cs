namespace Crossfade.Core.Specs;

/// <summary>An app as declared in its <c>crossfade.yml</c>, after validation.</summary>
public sealed record AppSpec(
    string Name,
    string Run,
    string? Worker,
    string? Migrate,
    HealthSpec Health,
    int ProxyPort,
    int DrainSeconds,
    int KeepReleases,
    IReadOnlyList<string> SharedPaths,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyDictionary<string, EnvironmentSpec> Environments,
    IReadOnlyList<Contracts.V1.CheckDefinition>? Checks = null,
    int BakeSeconds = 0,
    Config.ConfigDeclaration? Config = null,
    LogsSpec? Logs = null,
    JudgeSpec? Judge = null,
    double WorkerSettleSeconds = 1,
    BuildSpec? Build = null,
    TriggersSpec? Triggers = null,
    Contracts.V1.ProxyTls? ProxyTls = null,
    IReadOnlyList<string>? ProxyHosts = null)
{
    /// <summary>Which pushes deploy where; none when the spec has no <c>triggers:</c>.</summary>
    public TriggersSpec PushTriggers => Triggers ?? TriggersSpec.None;

    /// <summary>How deploys of this app are judged: the spec's <c>judge:</c>, or observe mode with the defaults.</summary>
    public JudgeSpec Judging => Judge ?? JudgeSpec.Default;

    /// <summary>The extra log files and error patterns, none when the spec has no <c>logs:</c>.</summary>
    public LogsSpec LogSettings => Logs ?? LogsSpec.None;

    /// <summary>The critical paths every candidate and every switched host must pass.</summary>
    public IReadOnlyList<Contracts.V1.CheckDefinition> CriticalPaths => Checks ?? [];
}

/// <summary>How the agent decides that an instance is ready for traffic.</summary>
public sealed record HealthSpec(string Path, int TimeoutSeconds);

/// <summary>
/// An environment: the hosts that serve it and their roles; the environments a release must have
/// succeeded in before it deploys here (<paramref name="Requires"/>); and what a schedule or a webhook's
/// deploy does during a freeze (<paramref name="DuringFreeze"/>: wait for it to end, or be refused).
/// </summary>
public sealed record EnvironmentSpec(
    string Name, IReadOnlyList<HostSpec> Hosts, IReadOnlyDictionary<string, string>? Variables = null, ExportersSpec? Exporters = null,
    IReadOnlyList<string>? Requires = null, FreezePolicy DuringFreeze = FreezePolicy.Queue, IReadOnlyList<NotifySpec>? Notify = null)
{
    public IReadOnlyList<string> RequiredBefore => Requires ?? [];

    /// <summary>Where this environment's notices go (chat, webhooks); none when the spec has no <c>notify:</c>.</summary>
    public IReadOnlyList<NotifySpec> NoticeTargets => Notify ?? [];
}

/// <summary>What an unattended deploy (a schedule, a webhook) does when its environment is frozen.</summary>
public enum FreezePolicy
{
    /// <summary>It waits, and starts when the freeze ends.</summary>
    Queue,

    /// <summary>It is refused, as a person's deploy is.</summary>
    Refuse,
}

/// <summary>
/// Where an environment's timeline and logs are also sent, for shops that run these tools already:
/// a Datadog-compatible events endpoint, and an Elasticsearch/OpenSearch bulk endpoint for log lines.
/// Each may name a secret of the app holding its API key (sent as <c>DD-API-KEY</c>, and as
/// <c>Authorization: ApiKey</c> to Elasticsearch).
/// </summary>
public sealed record ExportersSpec(Uri? DatadogEvents, Uri? ElasticsearchBulk, string ElasticsearchIndex, string? DatadogApiKeySecret = null, string? ElasticsearchApiKeySecret = null)
{
    public IEnumerable<string> Secrets => new[] { DatadogApiKeySecret, ElasticsearchApiKeySecret }.OfType<string>();
}

/// <summary>A host of an environment and the roles it plays there.</summary>
public sealed record HostSpec(string Name, IReadOnlyList<string> Roles, IReadOnlyDictionary<string, string>? Variables = null)
{
    public bool Has(string role) => Roles.Contains(role, StringComparer.Ordinal);
}

/// <summary>The roles a host can play for an app.</summary>
public static class HostRoles
{
    public const string Web = "web";
    public const string Worker = "worker";
    public const string Migrator = "migrator";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Web, Worker, Migrator };
}
