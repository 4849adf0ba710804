using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

// The Converging phase: a deploy's configuration on every host, put back when the deploy does not go
// through, and converges (or why-runs) outside a deploy.
public sealed partial class DeployRunner
{
    /// <summary>
    /// Converges the configuration stored with the deploy on every host. When one host fails, the live
    /// configuration is converged again everywhere, so the fleet is left as it was.
    /// </summary>
    /// <returns>null when every host converged (or there is no configuration), otherwise what failed and what was put back.</returns>
    private async Task<string?> ConvergeForDeployAsync(
        DeployRecord deploy, DeployPlan plan, Dictionary<(string, string, string), StepRecord> existing, Func<PlannedStep, string, string, StepPayload> payloadFor)
    {
        if (plan.Phase(DeployState.Converging) is not { } converging || deploy.ConfigJson is null)
            return null;
        var release = (await store.GetReleaseAsync(deploy.App, deploy.Version, CancellationToken.None))!;
        var config = new ConfigRef(deploy.Id, false, ReloadModeOf(deploy));
        var results = await RunStepsAsync(deploy.Id, existing, converging.Steps, s => payloadFor(s, release.Version, release.Sha256) with { Config = config });
        await events.ConvergedAsync(deploy, results.Select(r => (r.Step.Host, r.Result)));
        if (FirstFailure(results) is not { } failure)
            return null;
        var restored = await RestoreConfigAsync(deploy, plan, existing, payloadFor);
        return restored is null ? failure : $"{failure}; {restored}";
    }

    /// <summary>Converges the live configuration (the one stored with the deploy that put the live release in place) on every host again.</summary>
    /// <returns>what was put back, or null when this deploy had no configuration to undo.</returns>
    private async Task<string?> RestoreConfigAsync(
        DeployRecord deploy, DeployPlan plan, Dictionary<(string, string, string), StepRecord> existing, Func<PlannedStep, string, string, StepPayload> payloadFor)
    {
        var ct = CancellationToken.None;
        if (plan.Phase(DeployState.Converging) is not { } converging || deploy.ConfigJson is null)
            return null;
        var liveId = deploy.FromVersion is null ? null : await store.GetLiveDeployIdAsync(deploy.App, deploy.Environment, ct, deploy.FromVersion);
        var live = liveId is { } id ? await store.GetDeployAsync(id, ct) : null;
        var previous = deploy.FromVersion is null ? null : await store.GetReleaseAsync(deploy.App, deploy.FromVersion, ct);
        if (live?.ConfigJson is null || previous is null)
            return "there was no earlier configuration to put back";
        var config = new ConfigRef(live.Id, false, ReloadModeOf(deploy));
        var results = await RunStepsAsync(deploy.Id, existing, converging.Steps, s => payloadFor(s, previous.Version, previous.Sha256) with { Config = config });
        await events.ConvergedAsync(deploy, results.Select(r => (r.Step.Host, r.Result)));
        var failed = results.Where(r => !r.Result.Succeeded).Select(r => r.Step.Host).ToList();
        return failed.Count == 0
            ? $"the configuration of {previous.Version} (deploy #{live.Id}) is back on every host"
            : $"could not put the configuration of {previous.Version} back on {string.Join(", ", failed)}: look at their converge steps";
    }

    /// <summary>
    /// A deploy's cutover starts new instances, which read the new configuration; a deploy of the release
    /// that is live already starts none, so its configuration change reloads the app instead.
    /// </summary>
    private static string ReloadModeOf(DeployRecord deploy) =>
        deploy.Version == deploy.FromVersion ? ReloadModes.Now : ReloadModes.ByCutover;

    /// <summary>
    /// A converge outside a deploy (or its why-run): the live release's resources with the variables and
    /// secrets of now, on every host, under the same lease as a deploy. A real converge becomes the live
    /// configuration that later failures and rollbacks return to.
    /// </summary>
    private async Task RunConvergeOnlyAsync(
        DeployRecord deploy, DeployPlan plan, Dictionary<(string, string, string), StepRecord> existing,
        Func<PlannedStep, string, string, StepPayload> payloadFor, Func<DeployState, string?, Task> moveAsync)
    {
        var whyRun = deploy.Kind == DeployKind.WhyRun.ToString().ToLowerInvariant();
        var release = (await store.GetReleaseAsync(deploy.App, deploy.Version, CancellationToken.None))!;
        await moveAsync(DeployState.Converging, null);
        var config = new ConfigRef(deploy.Id, whyRun, ReloadModes.Now);
        var results = await RunStepsAsync(deploy.Id, existing, plan.Phase(DeployState.Converging)!.Steps,
            s => payloadFor(s, release.Version, release.Sha256) with { Config = config });
        await events.ConvergedAsync(deploy, results.Select(r => (r.Step.Host, r.Result)));
        var summary = string.Join("; ", results.Select(r => r.Result.Message));
        if (FirstFailure(results) is { } failure)
        {
            await moveAsync(DeployState.Failed, failure);
            LogEnded(deploy.Id, "Failed");
            return;
        }
        if (!whyRun)
            await store.SetLiveVersionAsync(deploy.App, deploy.Environment, release.Version, deploy.Id, CancellationToken.None);
        await moveAsync(DeployState.Succeeded, summary);
        LogEnded(deploy.Id, "Succeeded");
    }
}
