using Crossfade.Contracts.V1;

namespace Crossfade.Server.Storage;

/// <summary>Requests of one app and environment in one bucket of time (its first minute, as Unix minutes), with the bucket's merged latency histogram.</summary>
public sealed record SeriesPoint(string App, string Environment, long Minute, long Requests, long Errors, string Hist);

/// <summary>Requests of one route in a range: counts and the merged latency histogram.</summary>
public sealed record RouteStats(string Method, string Route, long Requests, long Errors, string Hist);

/// <summary>The release an environment serves since the deploy that put it there.</summary>
public sealed record LiveVersion(string App, string Environment, string Version, long DeployId);

/// <summary>
/// Which deploys a history page lists, newest first: every filter is optional; <see cref="BeforeId"/>
/// pages back; <see cref="Since"/> keeps those that ended (or are running) after that moment.
/// </summary>
public sealed record DeployFilter(
    string? App = null, string? Environment = null, string? RequestedBy = null, DeployState? State = null, string? Trigger = null,
    DateTimeOffset? Since = null, long? BeforeId = null, int Limit = 50);
