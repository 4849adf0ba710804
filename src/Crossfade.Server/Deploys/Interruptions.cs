using Crossfade.Core.Deploys;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Deploys;

/// <summary>
/// At start, closes the record of deploys that a previous server process left unfinished, so that no
/// deploy holds its app and environment forever.
/// </summary>
public static class Interruptions
{
    public static async Task CloseAsync(IStore store, TimeProvider time)
    {
        foreach (var deploy in await store.ListUnfinishedDeploysAsync(CancellationToken.None))
        {
            var mixed = deploy.State is nameof(DeployState.CuttingOver) or nameof(DeployState.Verifying) or nameof(DeployState.RollingBack);
            await store.SetDeployStateAsync(deploy.Id, nameof(DeployState.Aborted),
                $"interrupted: the server stopped while the deploy was {deploy.State}"
                + (mixed ? "; hosts may serve different releases: check 'crossfade status' and deploy again" : "; no host was switched"),
                time.GetUtcNow(), true, CancellationToken.None);
        }
    }
}
