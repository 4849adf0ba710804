using Crossfade.Server.Storage;
using Microsoft.Extensions.Hosting;

namespace Crossfade.Server.Deploys;

/// <summary>
/// Resumes unfinished deploys that no live server process runs: at start, and every few seconds after.
/// A deploy whose owner stopped heartbeating is taken over once its lease expires; one whose owner was a
/// server process of this machine that no longer exists (a restart after kill -9) is taken over at once.
/// </summary>
public sealed class DeployRecovery(IStore store, DeployRunner runner, ServerOptions options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var deploy in await store.ListUnfinishedDeploysAsync(stoppingToken))
            {
                if (runner.IsRunning(deploy.Id))
                    continue;
                if (deploy.Owner is { } owner && owner != options.InstanceId && LocalOwnerIsGone(owner))
                    await store.ClaimDeployAsync(deploy.Id, options.InstanceId, time.GetUtcNow(), TimeSpan.Zero, stoppingToken);
                runner.Launch(deploy.Id);
            }
            await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Owners are "machine:pid:nonce"; on this machine, a missing pid proves the owner died.</summary>
    private static bool LocalOwnerIsGone(string owner)
    {
        var parts = owner.Split(':');
        if (parts.Length != 3 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], out var pid))
            return false;
        return !Directory.Exists($"/proc/{pid}") || pid == Environment.ProcessId;
    }
}
