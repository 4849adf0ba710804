namespace Crossfade.Contracts.V1;

/// <summary>A release artifact stored by the server, addressed by its SHA-256.</summary>
public sealed record ReleaseView(
    string App,
    string Version,
    string Sha256,
    long SizeBytes,
    string? Commit,
    string? Message,
    string CreatedBy,
    DateTimeOffset CreatedAt);
