namespace Crossfade.Contracts.V1;

/// <summary>
/// A freeze to add: a one-off range (<paramref name="From"/>, <paramref name="To"/>) or a recurring window
/// (<paramref name="Every"/>: "Fri 16:00-Mon 08:00" or "18:00-08:00", in <paramref name="Zone"/>), and why.
/// </summary>
public sealed record CreateFreezeRequest(string Reason, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Every = null, string? Zone = null);

/// <summary>A freeze as listed: its window in words, whether it holds now and until when, and when it next begins.</summary>
public sealed record FreezeView(
    long Id, string App, string Environment, string Window, DateTimeOffset? From, DateTimeOffset? To, string? Every, string? Zone,
    string Reason, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? HoldsUntil, DateTimeOffset? NextStart);
