using System.Text.Json.Serialization;

namespace Crossfade.Contracts.V1;

/// <summary>
/// An event posted by another tool, in the shape of Datadog's events API (v1): a title, a text,
/// <c>key:value</c> tags, an alert type, an aggregation key, when it happened (Unix seconds) and a host.
/// </summary>
public sealed record PostEventRequest(
    string Title,
    string? Text = null,
    IReadOnlyList<string>? Tags = null,
    [property: JsonPropertyName("alert_type")] string? AlertType = null,
    [property: JsonPropertyName("aggregation_key")] string? AggregationKey = null,
    [property: JsonPropertyName("date_happened")] long? DateHappened = null,
    string? Host = null,
    [property: JsonPropertyName("source_type_name")] string? SourceTypeName = null,
    string? Priority = null);

/// <summary>The answer to a posted event, as Datadog answers: a status and the event stored.</summary>
public sealed record PostEventResponse(string Status, EventView Event);

/// <summary>One event of the timeline.</summary>
public sealed record EventView(
    long Id,
    DateTimeOffset At,
    string Kind,
    string Title,
    string Text,
    IReadOnlyList<string> Tags,
    string Source,
    [property: JsonPropertyName("alert_type")] string AlertType,
    [property: JsonPropertyName("aggregation_key")] string? AggregationKey,
    string? Host,
    string? App,
    string? Environment,
    long? DeployId);

/// <summary>The alert types of Datadog's events API, which the timeline keeps.</summary>
public static class AlertTypes
{
    public const string Info = "info";
    public const string Success = "success";
    public const string Warning = "warning";
    public const string Error = "error";

    public static readonly IReadOnlyList<string> All = [Info, Success, Warning, Error, "user_update", "recommendation", "snapshot"];
}

/// <summary>The kinds of event Crossfade itself writes; events posted through the API are <see cref="External"/>.</summary>
public static class EventKinds
{
    public const string DeployStarted = "deploy.started";
    public const string DeployPhase = "deploy.phase";
    public const string DeployQueued = "deploy.queued";
    public const string DeployEnded = "deploy.ended";
    public const string Converge = "converge.host";
    public const string DeployJudged = "deploy.judged";
    public const string FreezeAdded = "freeze.added";
    public const string FreezeRemoved = "freeze.removed";
    public const string FreezeOverride = "freeze.override";
    public const string ScheduleWaiting = "schedule.waiting";
    public const string BuildStarted = "build.started";
    public const string BuildEnded = "build.ended";
    public const string External = "external";
}

/// <summary>A notice in the outbox: what, to which kind of target (named by its secret), and how its delivery went.</summary>
public sealed record NoticeView(
    long Id, string App, string Environment, string Notice, string Target, string Secret, long? DeployId, string State, int Attempts,
    DateTimeOffset NextAt, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);
