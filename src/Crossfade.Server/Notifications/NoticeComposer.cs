using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Notifications;

/// <summary>Turns a timeline event into the notice it is worth (or none): a deploy started or ended, a verdict, a new error, a freeze overridden, a build broken.</summary>
public sealed class NoticeComposer(IStore store, ServerOptions options)
{
    /// <summary>Whether an event of this kind can be worth a notice at all (checked before anything is read).</summary>
    public static bool MayNotify(string kind) =>
        kind is EventKinds.DeployStarted or EventKinds.DeployEnded or EventKinds.DeployJudged or "error.new" or EventKinds.FreezeOverride or EventKinds.BuildEnded;

    public async Task<Notice?> ComposeAsync(EventRecord e, CancellationToken ct)
    {
        if (e.App is null || e.Environment is null)
            return null;
        var deploy = e.DeployId is { } id ? await store.GetDeployAsync(id, ct) : null;
        var kind = KindOf(e, deploy);
        if (kind is null)
            return null;
        var notice = new Notice(kind, e.App, e.Environment, e.Title, e.Text, e.AlertType, e.At);
        if (deploy is null)
            return notice;
        var release = await store.GetReleaseAsync(deploy.App, deploy.Version, ct);
        return notice with
        {
            Who = deploy.RequestedBy, Release = deploy.Version, Commit = release?.Commit, CommitMessage = release?.Message,
            Outcome = WireNames.Of(deploy.State), Reason = deploy.Reason, DeployId = deploy.Id, Link = $"{options.LinkRoot}/deploys/{deploy.Id}",
            Seconds = deploy.FinishedAt is { } end ? Math.Round((end - deploy.CreatedAt).TotalSeconds, 1) : null,
        };
    }

    private static string? KindOf(EventRecord e, DeployRecord? deploy) => e.Kind switch
    {
        EventKinds.DeployStarted when deploy?.Kind is DeployKind.Deploy or DeployKind.Rollback => NotifyKinds.DeployStarted,
        EventKinds.DeployEnded when deploy is not null => deploy.State switch
        {
            DeployState.Succeeded when deploy.Kind == DeployKind.Rollback => NotifyKinds.DeployRolledBack,
            DeployState.Succeeded when deploy.Kind == DeployKind.Deploy => NotifyKinds.DeploySucceeded,
            DeployState.RolledBack => NotifyKinds.DeployRolledBack,
            DeployState.Failed or DeployState.Aborted or DeployState.Mixed => NotifyKinds.DeployFailed,
            _ => null,
        },
        EventKinds.DeployJudged => NotifyKinds.JudgeVerdict,
        "error.new" => NotifyKinds.NewError,
        EventKinds.FreezeOverride => NotifyKinds.FreezeOverride,
        EventKinds.BuildEnded when e.AlertType == AlertTypes.Error => NotifyKinds.BuildFailed,
        _ => null,
    };
}
