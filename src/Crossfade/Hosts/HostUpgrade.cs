using System.Diagnostics;
using Crossfade.Cli;

namespace Crossfade.Hosts;

/// <summary>
/// <c>crossfade host upgrade</c>: asks each host's agent to take the server's binary for its platform, then
/// waits until it reports running it and is online again. The agent replaces its own file and restarts
/// under its service; the host's proxy and instances serve on meanwhile.
/// </summary>
public sealed class HostUpgrade(ApiClient api, TextWriter output, TimeProvider time)
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(3);

    /// <summary>Upgrades the hosts one after the other; how many could not be.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> hosts, CancellationToken ct)
    {
        var failed = 0;
        foreach (var host in hosts)
        {
            try
            {
                await OneAsync(host, ct);
            }
            catch (ApiError e)
            {
                failed++;
                output.WriteLine($"  {host,-12} not upgraded: {e.Message}");
            }
            catch (HostStepException e)
            {
                failed++;
                output.WriteLine($"  {host,-12} {e.Message}");
            }
        }
        return failed;
    }

    private async Task OneAsync(string host, CancellationToken ct)
    {
        var asked = await api.UpgradeHostAsync(host, ct);
        var what = asked.Version ?? "sha256 " + asked.Sha256[..12];
        if (asked.State == "current")
        {
            output.WriteLine($"  {host,-12} runs {what} already");
            return;
        }
        var took = Stopwatch.StartNew();
        var deadline = time.GetUtcNow() + Within;
        while (true)
        {
            var seen = (await api.HostsAsync(ct)).FirstOrDefault(h => h.Name == host);
            if (seen is { Online: true, UpgradePending: false } && seen.BinarySha256 == asked.Sha256)
            {
                output.WriteLine($"  {host,-12} upgraded to {what} in {took.Elapsed.TotalSeconds:0.0} s; agent {seen.AgentVersion?.Split('+')[0]}");
                return;
            }
            if (time.GetUtcNow() > deadline)
                throw new HostStepException($"did not report the new binary within {Within.TotalMinutes:0} minutes: see its agent's log");
            await Task.Delay(TimeSpan.FromMilliseconds(500), time, ct);
        }
    }
}
