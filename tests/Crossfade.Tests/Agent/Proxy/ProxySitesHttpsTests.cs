using System.Net;
using System.Net.Http.Json;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Proxy;
using Crossfade.Agent.Proxy.Sites;
using Crossfade.Agent.Proxy.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>
/// HTTPS per app on a port several apps share, on real TLS sockets: each app brings its own certificates (for its
/// own names only), its redirect and its HSTS, given when it registers and changed in place — no restart, the
/// connections already open go on; certificate files that do not load are refused and change nothing; and a
/// proxy without an HTTPS port says so instead of taking settings it cannot serve.
/// </summary>
public sealed class ProxySitesHttpsTests : IAsyncLifetime
{
    private readonly string _certs = Directory.CreateTempSubdirectory("cf-sites-tls-").FullName;
    private TestProxy _proxy = null!;
    private int _tlsPort;
    private CertificateFiles _shop = null!;
    private CertificateFiles _blog = null!;

    private string Control => $"http://127.0.0.1:{_proxy.ControlPort}";

    public async Task InitializeAsync()
    {
        _shop = TestCertificates.Write(_certs, "shop", "shop", "shop.test");
        _blog = TestCertificates.Write(_certs, "blog", "blog", "blog.test", "*.blog.test");
        _tlsPort = FreePorts.Next();
        // A proxy of named sites only, with an HTTPS port and no certificate of its own: each site brings its own.
        _proxy = await TestProxy.StartAsync(o => (o.StateFile, o.SitesFile, o.SitesRoot, o.TlsPort) =
            (null, Path.Combine(Path.GetDirectoryName(o.AccessLog)!, "sites.json"), Path.GetDirectoryName(o.AccessLog), _tlsPort));
        var shopApp = await _proxy.UpstreamAsync(app => app.MapGet("/who", (HttpRequest r) => Results.Text($"shop {r.Headers["X-Forwarded-Proto"]}")));
        var blogApp = await _proxy.UpstreamAsync(app => app.MapGet("/who", (HttpRequest r) => Results.Text($"blog {r.Headers["X-Forwarded-Proto"]}")));
        (await RegisterAsync("shop", new HttpsSettings([_shop], RedirectHttps: true, HstsMaxAgeSeconds: 3600), "shop.test")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await RegisterAsync("blog", new HttpsSettings([_blog]), "blog.test", "www.blog.test")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await SwapAsync("shop", shopApp);
        await SwapAsync("blog", blogApp);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        Directory.Delete(_certs, recursive: true);
    }

    private async Task<HttpResponseMessage> RegisterAsync(string site, HttpsSettings? https, params string[] hosts) =>
        await _proxy.Http.PutAsJsonAsync($"{Control}/sites/{site}", new SiteRequest(hosts, https));

    private async Task SwapAsync(string site, int port) =>
        (await _proxy.Http.PutAsJsonAsync($"{Control}/upstream?site={site}", new SwapRequest($"http://127.0.0.1:{port}/", "1.0.0", 5))).EnsureSuccessStatusCode();

    /// <summary>The subject of the certificate a new connection naming <paramref name="name"/> is shown, and the answer to a GET on it.</summary>
    private async Task<(string Subject, string Answer)> HttpsAsync(string name)
    {
        var (tls, seen) = await TlsClient.ConnectAsync(_tlsPort, name);
        await using var _ = tls;
        return (seen.Subject, await TlsClient.GetAsync(tls, name, "/who"));
    }

    private Task<string> PlainAsync(string host) =>
        _proxy.RawAsync($"GET /who HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");

    [Fact]
    public async Task EachAppServesItsOwnCertificate_Redirect_AndHsts()
    {
        var shop = await HttpsAsync("shop.test");
        var blog = await HttpsAsync("www.blog.test");
        var shopPlain = await PlainAsync("shop.test");
        var blogPlain = await PlainAsync("blog.test");

        shop.Subject.ShouldBe("CN=shop");
        shop.Answer.ShouldEndWith("shop https");
        shop.Answer.ShouldContain("Strict-Transport-Security: max-age=3600");
        blog.Subject.ShouldBe("CN=blog", "the wildcard of the blog's certificate stands for www.blog.test");
        blog.Answer.ShouldEndWith("blog https");
        blog.Answer.ShouldNotContain("Strict-Transport-Security", customMessage: "the blog did not ask for HSTS");
        shopPlain.ShouldStartWith("HTTP/1.1 308 Permanent Redirect");
        shopPlain.ShouldContain($"Location: https://shop.test:{_tlsPort}/who");
        blogPlain.ShouldStartWith("HTTP/1.1 200 OK", customMessage: "the blog did not ask for the redirect");
        blogPlain.ShouldEndWith("blog http");
        (await PlainAsync("elsewhere.test")).ShouldStartWith("HTTP/1.1 404", customMessage: "a host no app names is not redirected anywhere");
    }

    [Fact]
    public async Task OneAppsWildcard_NeverAnswersForAnotherAppsName_AndTheRedirectGoesWhereTheRequestWasRouted()
    {
        // The blog's certificate is for *.blog.test; news.blog.test is another app's, which has none.
        (await RegisterAsync("news", null, "news.blog.test")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var news = await Should.ThrowAsync<Exception>(() => HttpsAsync("news.blog.test"));
        var routed = await _proxy.RawAsync("GET http://shop.test/cart?x=1 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
        var elsewhere = await _proxy.RawAsync("GET http://evil.example/ HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n");
        var noCertificate = await RegisterAsync("news", new HttpsSettings(null, RedirectHttps: true), "news.blog.test");
        var portLeftOut = await _proxy.Http.PutAsync($"{Control}/tls/port", JsonContent.Create(new { }));

        news.ShouldNotBeNull();
        routed.ShouldStartWith("HTTP/1.1 308");
        routed.ShouldContain($"Location: https://shop.test:{_tlsPort}/cart?x=1\r\n", customMessage: "the absolute-form target's host and path, not the Host header's");
        elsewhere.ShouldStartWith("HTTP/1.1 404", customMessage: "a host no app names is not redirected");
        noCertificate.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noCertificate.Content.ReadAsStringAsync()).ShouldContain("brings its own certificate");
        portLeftOut.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "closing the HTTPS port is said, never implied by a missing field");
        (await HttpsAsync("shop.test")).Subject.ShouldBe("CN=shop");
    }

    [Fact]
    public async Task AnAppChangesItsHttpsSettingsInPlace_OpenConnectionsGoOn()
    {
        var (open, _) = await TlsClient.ConnectAsync(_tlsPort, "shop.test");
        await using var _ = open;
        (await TlsClient.GetAsync(open, "shop.test", "/who")).ShouldContain("Strict-Transport-Security");
        var renewed = TestCertificates.Write(_certs, "shop-2027", "shop-2027", "shop.test");

        (await RegisterAsync("shop", new HttpsSettings([renewed]), "shop.test")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await HttpsAsync("shop.test")).Subject.ShouldBe("CN=shop-2027", "a new connection gets the new certificate at once");
        var later = await TlsClient.GetAsync(open, "shop.test", "/who");
        later.ShouldStartWith("HTTP/1.1 200 OK", customMessage: "the connection opened before goes on");
        later.ShouldNotContain("Strict-Transport-Security", customMessage: "HSTS was turned off for the app");
        (await PlainAsync("shop.test")).ShouldEndWith("shop http", customMessage: "the redirect was turned off for the app");
        (await HttpsAsync("blog.test")).Subject.ShouldBe("CN=blog", "the other app's certificate is untouched");
    }

    [Fact]
    public async Task CertificatesForAnotherAppsName_OrFilesThatDoNotLoad_AreRefused_AndChangeNothing()
    {
        var foreign = TestCertificates.Write(_certs, "thief", "thief", "blog.test");
        await File.WriteAllTextAsync(Path.Combine(_certs, "broken.crt"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        var broken = new CertificateFiles(["shop.test"], Path.Combine(_certs, "broken.crt"), _shop.KeyPath);
        var relative = new CertificateFiles(["shop.test"], "shop.crt", "shop.key");

        var stolen = await RegisterAsync("shop", new HttpsSettings([_shop, foreign]), "shop.test");
        // The blog's file broken on disk while it is served: registering it again reads it again, and is refused.
        var blogText = await File.ReadAllTextAsync(_blog.CertPath);
        await File.WriteAllTextAsync(_blog.CertPath, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        var brokenOnDisk = await RegisterAsync("blog", new HttpsSettings([_blog]), "blog.test", "www.blog.test");
        await File.WriteAllTextAsync(_blog.CertPath, blogText);
        var unreadable = await RegisterAsync("shop", new HttpsSettings([broken]), "shop.test");
        var notAbsolute = await RegisterAsync("shop", new HttpsSettings([relative]), "shop.test");

        stolen.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await stolen.Content.ReadAsStringAsync()).ShouldContain("'blog.test' is none of this app's host names");
        unreadable.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unreadable.Content.ReadAsStringAsync()).ShouldContain("broken.crt");
        notAbsolute.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        brokenOnDisk.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a file that does not load now is refused, even at the path served before");
        (await HttpsAsync("shop.test")).Subject.ShouldBe("CN=shop", "a refused change leaves what was served");
        (await HttpsAsync("blog.test")).Subject.ShouldBe("CN=blog");
        (await PlainAsync("shop.test")).ShouldStartWith("HTTP/1.1 308", customMessage: "the app's redirect is as it was");
    }

    [Fact]
    public async Task SitesComeBackWithTheirCertificatesAfterARestart_AndARemovedSitesCertificateIsNoLongerServed()
    {
        await _proxy.RestartAsync();
        (await HttpsAsync("shop.test")).Subject.ShouldBe("CN=shop");
        (await PlainAsync("shop.test")).ShouldStartWith("HTTP/1.1 308", customMessage: "the redirect came back with the site");

        (await _proxy.Http.DeleteAsync($"{Control}/sites/blog")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var served = (await _proxy.Http.GetFromJsonAsync<TlsView>($"{Control}/tls"))!;
        served.Port.ShouldBe(_tlsPort);
        served.Certificates.Select(c => (c.Source, c.Subject)).ShouldBe([("shop", "CN=shop")]);
        await Should.ThrowAsync<Exception>(() => HttpsAsync("blog.test"), customMessage: "a name no app serves is answered with no app's certificate");
    }

    [Fact]
    public async Task AProxyWithoutAnHttpsPort_RefusesAnAppsHttpsSettings_AndTheHttpsPortWithNoCertificateRefusesHandshakes()
    {
        await using var plain = await TestProxy.StartAsync(o => (o.StateFile, o.SitesFile, o.SitesRoot) =
            (null, Path.Combine(Path.GetDirectoryName(o.AccessLog)!, "sites.json"), Path.GetDirectoryName(o.AccessLog)));
        var refused = await plain.Http.PutAsJsonAsync($"http://127.0.0.1:{plain.ControlPort}/sites/shop", new SiteRequest(["shop.test"], new HttpsSettings([_shop])));
        var tlsPort = FreePorts.Next();
        await using var empty = await TestProxy.StartAsync(o => (o.StateFile, o.SitesFile, o.SitesRoot, o.TlsPort) =
            (null, Path.Combine(Path.GetDirectoryName(o.AccessLog)!, "sites.json"), Path.GetDirectoryName(o.AccessLog), tlsPort));

        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("serves no HTTPS port");
        await Should.ThrowAsync<Exception>(() => TlsClient.ConnectAsync(tlsPort, "shop.test"));
        await Eventually.TrueAsync(async () =>
            (await empty.Http.GetFromJsonAsync<ProxyStats>($"http://127.0.0.1:{empty.ControlPort}/stats"))!.HandshakeFailures == 1);
    }
}
