namespace Crossfade.Agent.Proxy;

/// <summary>One request as the proxy saw it (DESIGN §3).</summary>
public readonly record struct AccessRecord(
    DateTimeOffset Time, string Method, string Path, int Status, double DurationMs, long Bytes, string Release, string Client);
