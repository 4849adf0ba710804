using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Api;

/// <summary>What an environment runs: the live release, the last deploy, and each host as its agent reports it.</summary>
public static class StatusEndpoint
{
    public static async Task<IResult> GetAsync(string app, string environment, IStore store, TimeProvider time, ServerOptions options, CancellationToken ct)
    {
        var record = await store.GetAppAsync(app, ct);
        if (record is null)
            return Problems.NotFound($"no app named '{app}'");
        var spec = AppSpecParser.Parse(record.SpecYaml).Spec!;
        if (!spec.Environments.TryGetValue(environment, out var env))
            return Problems.NotFound($"app '{app}' has no environment '{environment}'");
        var hosts = (await store.ListHostsAsync(ct)).ToDictionary(h => h.Name);
        var last = (await store.ListDeploysAsync(app, 1, ct, environment)).FirstOrDefault();
        var now = time.GetUtcNow();
        var views = env.Hosts.Select(h =>
        {
            hosts.TryGetValue(h.Name, out var host);
            var online = host?.LastSeen is { } seen && now - seen <= options.OfflineAfter;
            string? release = null;
            if (host is not null && JsonSerializer.Deserialize<Dictionary<string, string>>(host.LiveReleasesJson) is { } live)
                live.TryGetValue(app, out release);
            return new HostStatusView(h.Name, h.Roles, online, host?.LastSeen, release, host?.AgentVersion,
                host is not null && Core.Versioning.ProductVersion.Current.IsNewerThan(host.AgentVersion));
        }).ToList();
        return Results.Ok(new StatusView(app, environment, await store.GetLiveVersionAsync(app, environment, ct), last?.Id, last?.State, views));
    }
}
