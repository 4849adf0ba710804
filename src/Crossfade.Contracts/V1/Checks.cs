namespace Crossfade.Contracts.V1;

/// <summary>A critical path of the site as a scripted HTTP check: what to send, what must come back.</summary>
public sealed record CheckDefinition(
    string Name, string Method, string Path, string? Body, string ContentType, int ExpectStatus, string? ExpectBody);

/// <summary>The start of a check step's failure that means its instance is gone (a crash), not that a path failed.</summary>
public static class CheckMessages
{
    public const string NotRunning = "no running instance of";
}
