namespace Crossfade.Contracts.V1;

/// <summary>
/// A batch of lines an agent ships, gzip-compressed on the wire. <paramref name="Seq"/> grows by one
/// per batch of a host, so the server stores each batch once however often it is delivered;
/// <paramref name="Dropped"/> counts lines the agent's full buffer gave up since the last batch.
/// </summary>
public sealed record LogBatch(long Seq, long Dropped, IReadOnlyList<ShippedLine> Lines);

/// <summary>One line as read on the host: which app, which kind of source and file, its raw text, and when the agent read it.</summary>
public sealed record ShippedLine(string App, string Source, string File, string Text, DateTimeOffset At);

/// <summary>The kinds of line an agent ships.</summary>
public static class LineSources
{
    /// <summary>An access record the host proxy wrote (one JSON object per request).</summary>
    public const string Access = "access";

    /// <summary>A line of an app's stdout/stderr or of a log file it writes.</summary>
    public const string App = "app";
}

/// <summary>What the server did with a batch: how many lines it stored as records, kept as raw text, or saw before.</summary>
public sealed record IngestResult(long Seq, int Records, int Raw, bool Duplicate);

/// <summary>Request figures over a group (a minute, a route, a release or a host).</summary>
public sealed record RequestStats(string Key, long Requests, long Errors5xx, double ErrorRate, double P50Ms, double P95Ms, double P99Ms);

/// <summary>A stored log line, as a search returns it.</summary>
public sealed record LogLineView(DateTimeOffset At, string Host, string File, string? Level, string Text);

/// <summary>A route first requested after a deploy, and how often since: the "is the new feature used?" answer.</summary>
public sealed record NewRouteView(string Method, string Route, DateTimeOffset FirstSeen, long Hits);
