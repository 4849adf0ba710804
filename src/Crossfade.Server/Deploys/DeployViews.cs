using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

/// <summary>Builds the API's view of a deploy from its stored rows.</summary>
public static class DeployViews
{
    public static async Task<DeployView> LoadAsync(IStore store, DeployRecord d, CancellationToken ct)
    {
        var phases = await store.ListPhasesAsync(d.Id, ct);
        var steps = await store.ListStepsAsync(d.Id, ct);
        var release = await store.GetReleaseAsync(d.App, d.Version, ct);
        return new DeployView(d.Id, d.App, d.Environment, d.Kind, d.Version, d.FromVersion, d.State, d.RequestedBy, d.Trigger,
            d.CreatedAt, d.FinishedAt, d.Reason,
            phases.Select(p => new PhaseView(p.Name, p.StartedAt, p.EndedAt)).ToList(),
            steps.Select(s => new StepView(s.Id, s.Host, s.Kind, s.Status, s.StartedAt, s.EndedAt, s.Message,
                s.ReportJson is null ? null : System.Text.Json.JsonSerializer.Deserialize<ConvergeReport>(s.ReportJson, Api.JsonBody.Options))).ToList(),
            release?.Commit, release?.Message, d.Canary);
    }
}
