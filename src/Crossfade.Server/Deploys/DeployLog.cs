using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Deploys;

/// <summary>The server log's lines about deploys.</summary>
internal static partial class DeployLog
{
    [LoggerMessage(1, LogLevel.Information, "Deploy {DeployId} of {App} to {Environment} ({Version}) started")]
    public static partial void Started(ILogger logger, long deployId, string app, string environment, string version);

    [LoggerMessage(2, LogLevel.Information, "Deploy {DeployId} ended: {State}")]
    public static partial void Ended(ILogger logger, long deployId, string state);

    [LoggerMessage(3, LogLevel.Error, "Deploy {DeployId} crashed")]
    public static partial void Crashed(ILogger logger, long deployId, Exception ex);

    [LoggerMessage(4, LogLevel.Warning, "Deploy {DeployId} resumed in {State} with {Steps} steps on record")]
    public static partial void Resumed(ILogger logger, long deployId, string state, int steps);

    [LoggerMessage(5, LogLevel.Information, "Deploy {DeployId} is queued behind deploy {AheadId}")]
    public static partial void Queued(ILogger logger, long deployId, long aheadId);
}
