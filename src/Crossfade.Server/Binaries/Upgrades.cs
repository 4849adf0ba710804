using Crossfade.Contracts.V1;
using Crossfade.Core.Artifacts;
using Crossfade.Server.Agents;
using Crossfade.Server.Api;
using Crossfade.Server.Audit;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Binaries;

/// <summary>
/// Agents upgraded from the server: an admin asks (one host, or all), and each asked agent hears on its next
/// poll (woken at once) which binary to take; it downloads it, checks its hash, replaces its own file and
/// restarts under its service, while the host's proxy and instances go on serving. The ask is withdrawn when
/// the agent reports running that binary.
/// </summary>
public static class Upgrades
{
    public static void MapUpgrades(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/api/v1/hosts/{name}/upgrade", AskAsync).RequireRole(Roles.Admin);

    private static async Task<IResult> AskAsync(string name, IStore store, AgentBinaries binaries, WorkSignals signals, HttpContext context, CancellationToken ct)
    {
        context.Audit().Add("host", name);
        if ((await store.ListHostsAsync(ct)).FirstOrDefault(h => h.Name == name) is not { } host)
            return Problems.NotFound($"no host named '{name}'");
        if (host.Rid is not { } rid)
            return Problems.Conflict($"'{name}' has not said which binary it runs: its agent was not installed as a single file ('crossfade host add' installs one), or is older than upgrades");
        if (binaries.Find(rid) is not { } binary)
            return Problems.Conflict($"the server has no crossfade binary for {rid}: run ./build.sh {rid} and copy artifacts/dist/{rid} into the server's binaries folder");
        if (binary.Sha256 == host.BinarySha256)
        {
            await store.SetUpgradeWantedAsync(name, false, ct);
            return Results.Ok(new { host = name, state = "current", sha256 = binary.Sha256, version = binary.Version });
        }
        await store.SetUpgradeWantedAsync(name, true, ct);
        signals.StepQueued(name);
        return Results.Accepted($"/api/v1/hosts", new { host = name, state = "asked", sha256 = binary.Sha256, version = binary.Version });
    }

    /// <summary>On a poll: records the binary the agent runs and, when it is asked to upgrade and runs another than the server's, says which to take.</summary>
    public static async Task AnswerAsync(HttpContext context, IStore store, AgentBinaries binaries, string host, AgentHeartbeat beat, CancellationToken ct)
    {
        if (beat.Rid is not { } rid || !AgentBinaries.IsRid(rid) || !Sha256Hex.IsValid(beat.BinarySha256 ?? ""))
            return;
        if (!await store.ReportBinaryAsync(host, rid, beat.BinarySha256!, ct))
            return;
        if (binaries.Find(rid) is not { } binary)
            return;
        if (binary.Sha256 == beat.BinarySha256)
            await store.SetUpgradeWantedAsync(host, false, ct);
        else
            context.Response.Headers[UpgradeHeader.Name] = binary.Sha256;
    }
}
