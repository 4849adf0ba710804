namespace Crossfade.Core.Audit;

/// <summary>
/// One record of the audit trail: who (token id and name, role), from where (address, user agent), when,
/// what (action, path, app, environment and parameters — never a secret's value) and the outcome.
/// <paramref name="PrevHash"/> is the hash of the record before it and <paramref name="Hash"/> this one's,
/// so a record removed or altered breaks the chain.
/// </summary>
public sealed record AuditEntry(
    long Seq,
    DateTimeOffset At,
    string TokenId,
    string Actor,
    string Role,
    string Address,
    string UserAgent,
    string Action,
    string Path,
    string? App,
    string? Environment,
    IReadOnlyDictionary<string, string> Parameters,
    int Status,
    string Reason,
    string PrevHash = "",
    string Hash = "")
{
    /// <summary>"ok" for a change made, "refused" for one turned away (4xx), "failed" for one that broke (5xx).</summary>
    public string Outcome => AuditOutcomes.Of(Status);
}

/// <summary>The outcome words of audit records.</summary>
public static class AuditOutcomes
{
    public const string Ok = "ok";
    public const string Refused = "refused";
    public const string Failed = "failed";

    public static string Of(int status) => status >= 500 ? Failed : status >= 400 ? Refused : Ok;
}
