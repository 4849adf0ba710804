namespace Crossfade.Load;

/// <summary>One request the load generator made: when it started (Stopwatch ticks), how long, and how it ended.</summary>
public readonly record struct Sample(long StartTicks, float Milliseconds, short Status, bool Failed);
