namespace Crossfade.Server.Storage;

/// <summary>
/// Which audit records to read: since and until a time, by whom (a token's name or id), about an app,
/// after a sequence number, newest first or in chain order.
/// </summary>
public sealed record AuditQuery(
    DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? Who = null, string? App = null,
    long AfterSeq = 0, int Limit = 100, bool Newest = true);
