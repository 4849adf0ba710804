namespace Crossfade.Server.Storage;

/// <summary>One request as stored, raw, for a short time; <paramref name="Bot"/> when a robot sent it.</summary>
public sealed record StoredAccess(
    DateTimeOffset At, string Host, string App, string Environment, string Release, string Method, string Path, string Route, int Status, double Ms, long Bytes,
    bool Bot = false);

/// <summary>One log line as stored, raw, for a short time.</summary>
public sealed record StoredLogLine(DateTimeOffset At, string Host, string App, string Environment, string File, string? Level, string Text);

/// <summary>Requests of one minute, app, environment, host, release, route and method: counts and a latency histogram. Kept long.</summary>
public sealed record MinuteRollup(
    long Minute, string App, string Environment, string Host, string Release, string Route, string Method, long Requests, long Errors, double MsSum, string Hist);

/// <summary>Everything one shipped batch adds, written in one transaction with its (host, seq) mark.</summary>
public sealed record IngestWrite(
    string Host, long Seq, int Lines, IReadOnlyList<StoredAccess> Access, IReadOnlyList<StoredLogLine> Logs,
    IReadOnlyList<MinuteRollup> Minutes, IReadOnlyDictionary<string, long> Counters, DateTimeOffset ReceivedAt);

/// <summary>A full-text search of log lines (FTS5 query syntax), with time range, host and level filters.</summary>
public sealed record LogQuery(
    string App, string Environment, string? Text = null, string? Level = null, string? Host = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 100);

/// <summary>An error seen in a log: its fingerprint, folded message and top frame, where and when.</summary>
public sealed record ErrorSighting(string App, string Environment, string Fingerprint, string Message, string? TopFrame, string? Release, string Host, DateTimeOffset At);

/// <summary>An error fingerprint with its counts, first and last seen.</summary>
public sealed record ErrorGroup(
    string Fingerprint, string Message, string? TopFrame, string? FirstRelease, string? LastRelease, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long Count);
