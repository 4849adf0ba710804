namespace Crossfade.Server.Storage;

/// <summary>
/// A notice in the outbox: for which target (its spec as JSON: secret names, never their values), about
/// what (the notice as JSON), its delivery state, attempts, when it is next tried and the last error.
/// </summary>
public sealed record OutboxRecord(
    long Id, string TargetKey, string Target, string App, string Environment, string Notice, string Payload, long? DeployId,
    string State, int Attempts, DateTimeOffset NextAt, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

/// <summary>The delivery states of a notice.</summary>
public static class OutboxStates
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Dead = "dead";
}
