namespace Crossfade.Cli;

/// <summary>The server refused a call; the message is its ProblemDetails in one line.</summary>
public sealed class ApiError(int status, string message, string? body) : Exception(message)
{
    public int Status { get; } = status;
    public string? Body { get; } = body;
}
