using Crossfade.Contracts.V1;

namespace Crossfade.Core.Deploys;

/// <summary>A step the plan puts on one host.</summary>
public sealed record PlannedStep(string Host, StepKind Kind, IReadOnlyList<string> Roles);

/// <summary>One phase of the plan: its steps run on their hosts in parallel.</summary>
public sealed record PlannedPhase(DeployState State, IReadOnlyList<PlannedStep> Steps);

/// <summary>
/// The whole deploy, decided before anything runs. <paramref name="CandidateChecks"/> are the critical-path
/// checks each web host runs on its candidate after migration and before any host switches.
/// </summary>
public sealed record DeployPlan(IReadOnlyList<PlannedPhase> Phases, IReadOnlyList<PlannedStep> CandidateChecks)
{
    public PlannedPhase? Phase(DeployState state) => Phases.FirstOrDefault(p => p.State == state);
}
