namespace Crossfade.Load;

/// <summary>
/// One request the load generator made: when it started (Stopwatch ticks), how long, how it ended, and
/// the release that answered it when the app said (its <c>X-App-Version</c> header), so a bad release's
/// own errors can be told from requests a deploy's mechanics broke.
/// </summary>
public readonly record struct Sample(long StartTicks, float Milliseconds, short Status, bool Failed, string? Release = null);
