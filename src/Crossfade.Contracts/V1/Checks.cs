namespace Crossfade.Contracts.V1;

/// <summary>A critical path of the site as a scripted HTTP check: what to send, what must come back.</summary>
public sealed record CheckDefinition(
    string Name, string Method, string Path, string? Body, string ContentType, int ExpectStatus, string? ExpectBody);

/// <summary>How a step's failure message starts when it means something other than a path that failed.</summary>
public static class CheckMessages
{
    /// <summary>The check's instance is gone (a crash).</summary>
    public const string NotRunning = "no running instance of";

    /// <summary>The host's agent did not answer the step in time: says nothing about the release.</summary>
    public const string NoAnswer = "no answer from";
}
