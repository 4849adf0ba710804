namespace Crossfade.Server.Notifications;

/// <summary>
/// What a notice says, whatever carries it: what happened (<paramref name="Kind"/>, a title and text),
/// who, which release and commit with its message, where, the outcome and why, how long it took, and the
/// link to the dashboard's page of it.
/// </summary>
public sealed record Notice(
    string Kind, string App, string Environment, string Title, string Text, string AlertType, DateTimeOffset At,
    string? Who = null, string? Release = null, string? Commit = null, string? CommitMessage = null, string? Outcome = null,
    string? Reason = null, double? Seconds = null, string? Link = null, long? DeployId = null);
