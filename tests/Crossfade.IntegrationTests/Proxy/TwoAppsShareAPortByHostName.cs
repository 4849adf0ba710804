using System.Net;
using Crossfade.Contracts.V1;
using Crossfade.Demo;

namespace Crossfade.IntegrationTests.Proxy;

/// <summary>
/// Two apps on the same web hosts behind the same proxy port, told apart by host name (each spec's
/// <c>proxy.hosts</c>): deployed one after the other under traffic for both, each cuts over on its own —
/// the other keeps serving its release — with no failed request; a host neither names gets a 404.
/// </summary>
public sealed class TwoAppsShareAPortByHostName
{
    private const string Outlet = "outlet";

    [Fact]
    public async Task EachAppCutsOverOnItsOwn_OnTheSharedPort_WithNoFailedRequest()
    {
        await using var fleet = await Fleet.StartAsync(nameof(TwoAppsShareAPortByHostName));
        static string Named(string spec, string host)
        {
            var named = spec.Replace("proxy:\n  port: 8080\n", $"proxy:\n  port: 8080\n  hosts: [{host}]\n");
            named.ShouldContain($"hosts: [{host}]");
            return named;
        }
        await fleet.ReapplyAsync(spec => Named(spec, "shop.test"));
        var outletSpec = Named(GearShopReleases.Spec(Path.Combine(fleet.Local.Dir, "outlet-db", "outlet.db"), Fleet.Env, fleet.Local.Hosts), "outlet.test")
            .Replace("app: gear-shop", $"app: {Outlet}").Replace("timeout_seconds: 30", "timeout_seconds: 8");
        await fleet.Api.ApplyAsync(outletSpec, "crossfade.yml", CancellationToken.None);
        await fleet.Api.SetSecretAsync(Outlet, "payment_api_key", "pk_outlet_test", null, CancellationToken.None);
        // The outlet's versions differ from the shop's, so a request that reached the other app shows.
        foreach (var (shopVersion, outletVersion) in new[] { ("1.0.0", "1.1.0"), ("2.0.0", "2.1.0") })
        {
            await fleet.PushAsync(shopVersion);
            await PushOutletAsync(fleet, outletVersion);
        }
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        (await fleet.WatchAsync(await fleet.Api.DeployAsync(Outlet, Fleet.Env, "1.1.0", CancellationToken.None))).State.ShouldBe(DeployState.Succeeded);

        var ports = fleet.WebHosts.Select(h => h.ProxyPort).ToList();
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var seen = new List<(string Host, HttpStatusCode Status, string Body)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var traffic = Task.Run(async () =>
        {
            // Bounded in count and time: both apps on every web host's shared port, in turn.
            for (var i = 0; i < 50_000 && !stop.IsCancellationRequested; i++)
            {
                var host = i % 2 == 0 ? "shop.test" : "outlet.test";
                var answer = await GetAsync(client, ports[i / 2 % ports.Count], host);
                lock (seen)
                    seen.Add((host, answer.Status, answer.Body));
            }
        });

        var shop = await fleet.DeployAsync("2.0.0");
        var outletMeanwhile = await ServedAsync(client, ports, "outlet.test");
        var outlet = await fleet.WatchAsync(await fleet.Api.DeployAsync(Outlet, Fleet.Env, "2.1.0", CancellationToken.None));
        var unknown = await GetAsync(client, ports[0], "elsewhere.test");
        await stop.CancelAsync();
        await traffic;

        shop.State.ShouldBe(DeployState.Succeeded, shop.Reason);
        outlet.State.ShouldBe(DeployState.Succeeded, outlet.Reason);
        outletMeanwhile.ShouldAllBe(v => v.Contains("1.1.0"), "the shop's cutover left the outlet on its release");
        (await ServedAsync(client, ports, "shop.test")).ShouldAllBe(v => v.Contains("2.0.0"));
        (await ServedAsync(client, ports, "outlet.test")).ShouldAllBe(v => v.Contains("2.1.0"));
        unknown.Status.ShouldBe(HttpStatusCode.NotFound);
        List<(string Host, HttpStatusCode Status, string Body)> all;
        lock (seen)
            all = [.. seen];
        all.Count.ShouldBeGreaterThan(200);
        all.Where(s => s.Status != HttpStatusCode.OK).Take(5).ShouldBeEmpty("no request failed on the shared port while both apps cut over");
        all.Where(s => s.Host == "shop.test").ShouldAllBe(s => s.Body.Contains("1.0.0") || s.Body.Contains("2.0.0"), "no shop request reached the outlet");
        all.Where(s => s.Host == "outlet.test").ShouldAllBe(s => s.Body.Contains("1.1.0") || s.Body.Contains("2.1.0"), "no outlet request reached the shop");
    }

    private static async Task PushOutletAsync(Fleet fleet, string version)
    {
        var folder = GearShopReleases.Make(fleet.Build, Path.Combine(fleet.Local.Dir, "outlet-releases"), version);
        await using var archive = new MemoryStream();
        Crossfade.Core.Artifacts.ArchivePacker.Pack(folder, archive);
        archive.Position = 0;
        await fleet.Api.PushReleaseAsync(Outlet, version, null, $"outlet {version}", archive, CancellationToken.None);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, int port, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/version");
        request.Headers.Host = host;
        try
        {
            using var response = await client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException ex)
        {
            return (0, ex.Message);
        }
    }

    private static async Task<IReadOnlyList<string>> ServedAsync(HttpClient client, IReadOnlyList<int> ports, string host)
    {
        var bodies = new List<string>();
        foreach (var port in ports)
            bodies.Add((await GetAsync(client, port, host)).Body);
        return bodies;
    }
}
