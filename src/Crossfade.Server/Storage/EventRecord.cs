namespace Crossfade.Server.Storage;

/// <summary>An event of the timeline as stored. Tags hold app, env, host, release and deploy as <c>key:value</c>.</summary>
public sealed record EventRecord(
    long Id, DateTimeOffset At, string Kind, string Title, string Text, IReadOnlyList<string> Tags, string Source,
    string AlertType, string? AggregationKey, string? Host, string? App, string? Environment, long? DeployId);

/// <summary>Which events to read: a time range, app, environment, kind, tags (all of them), and after which id.</summary>
public sealed record EventQuery(
    DateTimeOffset? Start = null, DateTimeOffset? End = null, string? App = null, string? Environment = null,
    string? Kind = null, IReadOnlyList<string>? Tags = null, long AfterId = 0, int Limit = 100, bool Newest = true);
