using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

/// <summary>Builds the API's view of a deploy from its stored rows.</summary>
public static class DeployViews
{
    public static async Task<DeployView> LoadAsync(IStore store, DeployRecord d, CancellationToken ct) =>
        (await LoadAsync(store, [d], ct))[0];

    /// <summary>Views of several deploys (a history page) with one query for their phases, one for their steps, one per release.</summary>
    public static async Task<IReadOnlyList<DeployView>> LoadAsync(IStore store, IReadOnlyList<DeployRecord> deploys, CancellationToken ct)
    {
        var ids = deploys.Select(d => d.Id).ToList();
        var phases = (await store.ListPhasesAsync(ids, ct)).ToLookup(p => p.DeployId);
        var steps = (await store.ListStepsAsync(ids, ct)).ToLookup(s => s.DeployId);
        var releases = new Dictionary<(string App, string Version), ReleaseRecord?>();
        foreach (var release in deploys.Select(d => (d.App, d.Version)).Distinct())
            releases[release] = await store.GetReleaseAsync(release.App, release.Version, ct);
        var verdicts = new Dictionary<long, IReadOnlyList<VerdictRecord>>();
        foreach (var id in ids)
            verdicts[id] = await store.ListVerdictsAsync(id, ct);
        return deploys.Select(d => View(d, phases[d.Id], steps[d.Id], releases[(d.App, d.Version)], verdicts[d.Id])).ToList();
    }

    private static DeployView View(DeployRecord d, IEnumerable<PhaseRecord> phases, IEnumerable<StepRecord> steps, ReleaseRecord? release, IReadOnlyList<VerdictRecord> verdicts) =>
        new(d.Id, d.App, d.Environment, d.Kind, d.Version, d.FromVersion, d.State, d.RequestedBy, d.Trigger,
            d.CreatedAt, d.FinishedAt, d.Reason,
            phases.Select(p => new PhaseView(p.Name, p.StartedAt, p.EndedAt)).ToList(),
            steps.Select(s => new StepView(s.Id, s.Host, s.Kind, s.Status, s.StartedAt, s.EndedAt, s.Message,
                s.ReportJson is null ? null : System.Text.Json.JsonSerializer.Deserialize<ConvergeReport>(s.ReportJson, Api.JsonBody.Options))).ToList(),
            release?.Commit, release?.Message, d.Canary, verdicts.Select(Judging.JudgeViews.Of).ToList());
}
