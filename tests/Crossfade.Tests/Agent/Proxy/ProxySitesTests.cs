using System.Net;
using System.Net.Http.Json;
using Crossfade.Agent.Proxy;
using Crossfade.Agent.Proxy.Sites;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>
/// Several apps behind one proxy port, routed by host name: each app (site) has its own upstream, cutover and
/// access records; two are cut over one after the other under traffic with no failed request; a host no site
/// names gets a 404 from the proxy; the sites come back after a restart; the control port refuses what would
/// mix them up.
/// </summary>
public sealed class ProxySitesTests : IAsyncLifetime
{
    private TestProxy _proxy = null!;
    private string Control => $"http://127.0.0.1:{_proxy.ControlPort}";

    public async Task InitializeAsync() =>
        _proxy = await TestProxy.StartAsync(o => (o.StateFile, o.SitesFile, o.SitesRoot) = (null, Path.Combine(Path.GetDirectoryName(o.AccessLog)!, "sites.json"), Path.GetDirectoryName(o.AccessLog)));

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    private Task<int> AppAsync(string says) =>
        _proxy.UpstreamAsync(app => app.MapGet("/who", () => Results.Text(says)));

    private async Task<HttpResponseMessage> RegisterAsync(string site, params string[] hosts) =>
        await _proxy.Http.PutAsJsonAsync($"{Control}/sites/{site}", new SiteRequest(hosts));

    /// <summary>A site's access log: its app's own, under the proxy's sites root.</summary>
    private string LogOf(string site) => new Crossfade.Agent.HostLayout(_proxy.Dir, site).AccessLog;

    private static Task<bool> HasLinesAsync(string file, int lines) =>
        Task.FromResult(File.Exists(file) && File.ReadAllLines(file).Length >= lines);

    private async Task SwapAsync(string site, int port, string release) =>
        (await _proxy.Http.PutAsJsonAsync($"{Control}/upstream?site={site}", new SwapRequest($"http://127.0.0.1:{port}/", release, 5))).EnsureSuccessStatusCode();

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _proxy.Url("/who"));
        request.Headers.Host = host;
        using var response = await _proxy.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task TwoSitesAsync()
    {
        (await RegisterAsync("shop", "shop.test", "www.shop.test")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await RegisterAsync("blog", "blog.test")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await SwapAsync("shop", await AppAsync("shop 1"), "1.0.0");
        await SwapAsync("blog", await AppAsync("blog 1"), "1.0.0");
    }

    [Fact]
    public async Task TwoAppsOnOnePort_AreRoutedByHostName_AndAnUnknownHostGetsA404()
    {
        await TwoSitesAsync();

        (await GetAsync("shop.test")).ShouldBe((HttpStatusCode.OK, "shop 1"));
        (await GetAsync("WWW.Shop.Test:8080")).ShouldBe((HttpStatusCode.OK, "shop 1"));
        (await GetAsync("blog.test")).ShouldBe((HttpStatusCode.OK, "blog 1"));
        var absolute = await _proxy.RawAsync("GET http://blog.test/who HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n");
        absolute.ShouldEndWith("blog 1", customMessage: "an absolute-form target's own host counts");
        var unknown = await GetAsync("elsewhere.test");
        unknown.Status.ShouldBe(HttpStatusCode.NotFound);
        unknown.Body.ShouldContain("no app is served here for host 'elsewhere.test'");
        // Each app's requests in its own access log (each log flushed on its own beat).
        await Eventually.TrueAsync(() => HasLinesAsync(LogOf("blog"), 2));
        await Eventually.TrueAsync(() => HasLinesAsync(LogOf("shop"), 2));
        File.ReadAllLines(LogOf("blog")).ShouldAllBe(l => l.Contains("\"/who\"", StringComparison.Ordinal));
        File.ReadAllLines(LogOf("blog")).Length.ShouldBe(2);
        File.ReadAllLines(LogOf("shop")).Length.ShouldBe(2);
    }

    [Fact]
    public async Task EachAppCutsOverOnItsOwn_UnderTraffic_WithNoFailedRequest()
    {
        await TwoSitesAsync();
        var (shop2, blog2) = (await AppAsync("shop 2"), await AppAsync("blog 2"));
        var seen = new List<(string Host, HttpStatusCode Status, string Body)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var traffic = Task.Run(async () =>
        {
            // Bounded in count and time; both hosts in turn on kept-alive connections.
            for (var i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
            {
                var host = i % 2 == 0 ? "shop.test" : "blog.test";
                var (status, body) = await GetAsync(host);
                lock (seen)
                    seen.Add((host, status, body));
            }
        });
        async Task AfterAsync(int more)
        {
            int start;
            lock (seen)
                start = seen.Count;
            await Eventually.TrueAsync(() => { lock (seen) return Task.FromResult(seen.Count >= start + more); }, TimeSpan.FromSeconds(30));
        }

        await AfterAsync(200);
        await SwapAsync("shop", shop2, "2.0.0");
        await AfterAsync(200);
        var blogBeforeItsCutover = (await GetAsync("blog.test")).Body;
        await SwapAsync("blog", blog2, "2.0.0");
        await AfterAsync(200);
        await stop.CancelAsync();
        await traffic;

        blogBeforeItsCutover.ShouldBe("blog 1", "the shop's cutover left the blog where it was");
        List<(string Host, HttpStatusCode Status, string Body)> all;
        lock (seen)
            all = [.. seen];
        all.Where(s => s.Status != HttpStatusCode.OK).ShouldBeEmpty();
        all.Where(s => s.Host == "shop.test").Select(s => s.Body).Distinct().ShouldBe(["shop 1", "shop 2"]);
        all.Where(s => s.Host == "blog.test").Select(s => s.Body).Distinct().ShouldBe(["blog 1", "blog 2"]);
        all.ShouldNotContain(s => s.Body.StartsWith(s.Host == "shop.test" ? "blog" : "shop", StringComparison.Ordinal), "no request reached the other app");
    }

    [Fact]
    public async Task SitesAndTheirUpstreams_ComeBackAfterARestart_AndARemovedSiteIsGone()
    {
        await TwoSitesAsync();

        await _proxy.RestartAsync();

        (await GetAsync("shop.test")).ShouldBe((HttpStatusCode.OK, "shop 1"));
        (await GetAsync("blog.test")).ShouldBe((HttpStatusCode.OK, "blog 1"));
        (await _proxy.Http.DeleteAsync($"{Control}/sites/blog")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await GetAsync("blog.test")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await GetAsync("shop.test")).ShouldBe((HttpStatusCode.OK, "shop 1"));
        var listed = await _proxy.Http.GetFromJsonAsync<List<SiteView>>($"{Control}/sites");
        listed!.Select(s => (s.Name, s.Release)).ShouldBe([("shop", "1.0.0")]);
    }

    [Fact]
    public async Task TheControlPort_RefusesWhatWouldMixAppsUp()
    {
        await TwoSitesAsync();

        var taken = await RegisterAsync("admin", "admin.test", "SHOP.test");
        var badName = await RegisterAsync("Bad_Name", "x.test");
        var badHost = await RegisterAsync("news", "*.news.test");
        var noHosts = await RegisterAsync("news");
        // A caller cannot name where the proxy writes: paths in the request are not read at all.
        var paths = await _proxy.Http.PutAsJsonAsync($"{Control}/sites/news", new { hosts = new[] { "news.test" }, stateFile = "/etc/passwd", accessLog = "/root/.bashrc" });
        var unknownSite = await _proxy.Http.PutAsJsonAsync($"{Control}/upstream?site=nope", new SwapRequest("http://127.0.0.1:1/", "1.0.0", 1));
        var noSite = await _proxy.Http.GetAsync($"{Control}/upstream");

        taken.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await taken.Content.ReadAsStringAsync()).ShouldContain("host 'shop.test' is routed to 'shop' already");
        badName.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badName.Content.ReadAsStringAsync()).ShouldContain("is not a site name");
        badHost.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        noHosts.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        paths.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        File.Exists(new Crossfade.Agent.HostLayout(_proxy.Dir, "news").ProxyState).ShouldBeFalse("nothing is served there yet");
        Directory.Exists(new Crossfade.Agent.HostLayout(_proxy.Dir, "news").Logs).ShouldBeTrue("its files are its app's own");
        unknownSite.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        noSite.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await GetAsync("shop.test")).ShouldBe((HttpStatusCode.OK, "shop 1"), "nothing refused changed the routes");
        (await GetAsync("admin.test")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AProxyOfOneApp_TakesEveryHost_AndRefusesSites()
    {
        await using var single = await TestProxy.StartAsync();
        await single.SwapAsync(await single.UpstreamAsync(app => app.MapGet("/who", () => Results.Text("only"))));
        using var request = new HttpRequestMessage(HttpMethod.Get, single.Url("/who"));
        request.Headers.Host = "anything.test";

        var answer = await single.Http.SendAsync(request);
        var register = await single.Http.PutAsJsonAsync($"http://127.0.0.1:{single.ControlPort}/sites/shop", new SiteRequest(["shop.test"]));

        (await answer.Content.ReadAsStringAsync()).ShouldBe("only");
        register.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }
}
