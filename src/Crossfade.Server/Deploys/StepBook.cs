using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Server.Api;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

/// <summary>
/// The steps a deploy has queued, by what makes a step the same step again: host, kind and release —
/// and for a converge, whose configuration (a deploy's own, or the live one it restores). A resumed
/// deploy finds its earlier steps here and awaits them instead of queuing them again.
/// </summary>
public sealed class StepBook
{
    private readonly Dictionary<(string Host, StepKind Kind, string Key), long> _ids;

    private StepBook(Dictionary<(string, StepKind, string), long> ids) => _ids = ids;

    /// <summary>How many steps the deploy has queued.</summary>
    public int Count => _ids.Count;

    /// <summary>The steps a deploy queued before, from the store.</summary>
    public static async Task<StepBook> LoadAsync(IStore store, long deployId)
    {
        var steps = await store.ListStepsAsync(deployId, CancellationToken.None);
        return new StepBook(steps
            .GroupBy(s => (s.Host, s.Kind, KeyOf(JsonSerializer.Deserialize<StepPayload>(s.PayloadJson, JsonBody.Options)!)))
            .ToDictionary(g => g.Key, g => g.Last().Id));
    }

    /// <summary>The release a step is for; for a converge the configuration it applies, for a split its weight, for a judged window's check its look.</summary>
    public static string KeyOf(StepPayload payload) =>
        payload.Config is { } c ? $"{payload.Version}#config{c.SnapshotDeployId}"
        : payload.SplitPercent is { } split ? $"{payload.Version}#split{split}"
        : payload.Look is { } look ? $"{payload.Version}#look{look}"
        : payload.Version;

    /// <summary>The id of the step of this kind for this payload on this host, if the deploy queued it before.</summary>
    public bool TryGet(string host, StepKind kind, StepPayload payload, out long id) => _ids.TryGetValue((host, kind, KeyOf(payload)), out id);

    /// <summary>Notes a step just queued.</summary>
    public void Add(string host, StepKind kind, StepPayload payload, long id) => _ids[(host, kind, KeyOf(payload))] = id;

    /// <summary>Whether a step of this kind, for this release and no configuration, was queued on any of the hosts of <paramref name="steps"/>.</summary>
    public bool Has(IEnumerable<PlannedStep> steps, StepKind kind, string version) => steps.Any(s => _ids.ContainsKey((s.Host, kind, version)));
}
