using Crossfade.Contracts.V1;

namespace Crossfade.Server.Dashboard.Views;

/// <summary>
/// How a state reads on a page: a word, a shape and a colour class — never colour alone, so the board
/// reads the same to a colour-blind person and on a black-and-white print.
/// </summary>
public static class Outcomes
{
    public static string Class(DeployState state) => state switch
    {
        DeployState.Succeeded => "ok",
        DeployState.Failed or DeployState.Aborted or DeployState.Mixed => "bad",
        DeployState.RolledBack or DeployState.RollingBack => "back",
        DeployState.Queued => "queued",
        _ => "running",
    };

    /// <summary>✓ succeeded, ✕ failed, ↩ rolled back, ⧗ queued, ▶ running, ◐ mixed.</summary>
    public static string Shape(DeployState state) => state switch
    {
        DeployState.Succeeded => "✓",
        DeployState.Failed or DeployState.Aborted => "✕",
        DeployState.Mixed => "◐",
        DeployState.RolledBack or DeployState.RollingBack => "↩",
        DeployState.Queued => "⧗",
        _ => "▶",
    };

    public static string Class(StepStatus status) => status switch
    {
        StepStatus.Succeeded => "ok",
        StepStatus.Failed => "bad",
        StepStatus.Running => "running",
        _ => "queued",
    };

    public static string Shape(StepStatus status) => status switch
    {
        StepStatus.Succeeded => "✓",
        StepStatus.Failed => "✕",
        StepStatus.Running => "▶",
        _ => "·",
    };

    public static string Class(JudgeOutcome outcome) => outcome switch
    {
        JudgeOutcome.Pass => "ok",
        JudgeOutcome.Fail => "bad",
        _ => "queued",
    };

    public static bool Finished(DeployState state) => Core.Deploys.DeployTransitions.IsTerminal(state);
}
