using Crossfade.Core.Builds;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Builds;

/// <summary>Queues builds, from a push or by hand: one app and ref at a time, a newer push superseding a queued one.</summary>
public sealed class BuildService(IStore store, BuildWorker worker, TimeProvider time)
{
    /// <summary>Queues a build of <paramref name="gitRef"/> (at <paramref name="sha"/> when a push named it) deploying to <paramref name="environment"/> if any.</summary>
    public async Task<(BuildRecord? Build, string? Problem)> QueueAsync(
        string app, string gitRef, string? sha, string? environment, string requestedBy, string trigger, CancellationToken ct)
    {
        if (!GitRefs.IsSafe(gitRef))
            return (null, $"'{gitRef}' is not a branch, tag or commit name git would take");
        if (sha is not null && !GitRefs.IsSha(sha))
            return (null, $"'{sha}' is not a full commit id");
        var (build, _) = await store.QueueBuildAsync(
            new BuildRecord(0, app, gitRef, sha, environment, BuildStates.Queued, null, null, requestedBy, trigger, time.GetUtcNow()), ct);
        worker.Queued();
        return (build, null);
    }
}
