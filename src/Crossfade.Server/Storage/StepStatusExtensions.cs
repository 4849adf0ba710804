using Crossfade.Contracts.V1;

namespace Crossfade.Server.Storage;

/// <summary>What the server asks of a step's status.</summary>
public static class StepStatusExtensions
{
    /// <summary>Whether the step has ended, one way or the other.</summary>
    public static bool IsFinal(this StepStatus status) => status is StepStatus.Succeeded or StepStatus.Failed;
}
