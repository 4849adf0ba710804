using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;

namespace Crossfade.Server.Deploys;

// Configuration: put back when a deploy does not go through, and converges (or why-runs) outside a deploy.
public sealed partial class DeployRun
{
    /// <summary>Converges the live configuration (the one stored with the deploy that put the live release in place) on every host again.</summary>
    /// <returns>what was put back, or null when this deploy had no configuration to undo.</returns>
    private async Task<string?> RestoreConfigAsync()
    {
        var ct = CancellationToken.None;
        if (_plan.Phase(DeployState.Converging) is not { } converging || _deploy.ConfigJson is null)
            return null;
        var liveId = _deploy.FromVersion is null ? null : await _s.Store.GetLiveDeployIdAsync(_deploy.App, _deploy.Environment, ct, _deploy.FromVersion);
        var live = liveId is { } id ? await _s.Store.GetDeployAsync(id, ct) : null;
        var previous = _deploy.FromVersion is null ? null : await _s.Store.GetReleaseAsync(_deploy.App, _deploy.FromVersion, ct);
        if (live?.ConfigJson is null || previous is null)
            return "there was no earlier configuration to put back";
        var results = await RunStepsAsync(converging.Steps, previous, config: new ConfigRef(live.Id, false, ReloadMode));
        await _s.Events.ConvergedAsync(_deploy, results.Select(r => (r.Step.Host, r.Result)));
        var failed = results.Where(r => !r.Result.Succeeded).Select(r => r.Step.Host).ToList();
        return failed.Count == 0
            ? $"the configuration of {previous.Version} (deploy #{live.Id}) is back on every host"
            : $"could not put the configuration of {previous.Version} back on {string.Join(", ", failed)}: look at their converge steps";
    }

    /// <summary>
    /// A deploy's cutover starts new instances, which read the new configuration; a deploy of the release
    /// that is live already starts none, so its configuration change reloads the app instead.
    /// </summary>
    private string ReloadMode => _deploy.Version == _deploy.FromVersion ? ReloadModes.Now : ReloadModes.ByCutover;

    /// <summary>
    /// A converge outside a deploy (or its why-run): the live release's resources with the variables and
    /// secrets of now, on every host, under the same lease as a deploy. A real converge becomes the live
    /// configuration that later failures and rollbacks return to.
    /// </summary>
    private async Task ConvergeOnlyAsync()
    {
        var whyRun = _deploy.Kind == DeployKind.WhyRun;
        await MoveAsync(DeployState.Converging);
        var results = await RunStepsAsync(_plan.Phase(DeployState.Converging)!.Steps, _release, config: new ConfigRef(_deploy.Id, whyRun, ReloadModes.Now));
        await _s.Events.ConvergedAsync(_deploy, results.Select(r => (r.Step.Host, r.Result)));
        if (FirstFailure(results) is { } failure)
        {
            await EndAsync(DeployState.Failed, failure);
            return;
        }
        if (!whyRun)
            await _s.Store.SetLiveVersionAsync(_deploy.App, _deploy.Environment, _release.Version, _deploy.Id, CancellationToken.None);
        await EndAsync(DeployState.Succeeded, string.Join("; ", results.Select(r => r.Result.Message)));
    }
}
