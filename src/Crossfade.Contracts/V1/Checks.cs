namespace Crossfade.Contracts.V1;

/// <summary>A critical path of the site as a scripted HTTP check: what to send, what must come back.</summary>
public sealed record CheckDefinition(
    string Name, string Method, string Path, string? Body, string ContentType, int ExpectStatus, string? ExpectBody);
