namespace Crossfade.Agent.Proxy;

/// <summary>One request as the proxy saw it; <paramref name="Bot"/> when its client says it is a robot.</summary>
public readonly record struct AccessRecord(
    DateTimeOffset Time, string Method, string Path, int Status, double DurationMs, long Bytes, string Release, string Client, bool Bot = false);
