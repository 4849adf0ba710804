namespace Crossfade.Contracts.V1;

/// <summary>A record of the audit trail as the API lists it.</summary>
public sealed record AuditRecordView(
    long Seq, DateTimeOffset At, string TokenId, string Actor, string Role, string Address, string UserAgent,
    string Action, string Path, string? App, string? Environment, IReadOnlyDictionary<string, string> Parameters,
    int Status, string Outcome, string Reason, string Hash);

/// <summary>
/// The audit chain checked from its first record: how many records, the head (the newest record's number
/// and hash, worth writing down: a trail cut short after it shows as a head that no longer matches), and
/// the first break.
/// </summary>
public sealed record AuditVerifyView(bool Intact, long Records, long HeadSeq, string HeadHash, long? BrokenAt, string? Problem);
