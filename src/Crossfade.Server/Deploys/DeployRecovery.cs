using Crossfade.Server.Storage;
using Microsoft.Extensions.Hosting;

namespace Crossfade.Server.Deploys;

/// <summary>
/// At start, resumes every deploy a previous server process left unfinished (killed, crashed): the
/// runner replays its plan, re-attaching to the steps it had queued, which the agents went on running.
/// </summary>
public sealed class DeployRecovery(IStore store, DeployRunner runner) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var deploy in await store.ListUnfinishedDeploysAsync(cancellationToken))
            runner.Launch(deploy.Id);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
