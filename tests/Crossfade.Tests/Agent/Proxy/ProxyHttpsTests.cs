using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Crossfade.Agent.Instances;
using Crossfade.Agent;
using Crossfade.Agent.Proxy;
using Crossfade.Agent.Proxy.Tls;
using Crossfade.Contracts.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>
/// HTTPS at the host proxy, on real sockets with real TLS: each host name gets its own certificate (SNI), the
/// app hears the request came over HTTPS, browsers are told to stay on it (HSTS), a certificate file replaced
/// while clients are connected serves new connections without cutting the open ones, a broken replacement
/// leaves the one before in place, plain requests are sent to HTTPS (ACME challenges excepted), and a client
/// that speaks no TLS is turned away without harm.
/// </summary>
public sealed class ProxyHttpsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-proxy-tls-").FullName;
    private TestProxy _proxy = null!;
    private int _tlsPort;
    private CertificateFiles _shopFiles = null!;
    private CertificateFiles _adminFiles = null!;

    public async Task InitializeAsync()
    {
        var shop = _shopFiles = TestCertificates.Write(_dir, "shop", "shop", "shop.test", "www.shop.test");
        var admin = _adminFiles = TestCertificates.Write(_dir, "admin", "admin", "admin.shop.test", "*.admin.shop.test");
        _tlsPort = FreePorts.Next();
        _proxy = await TestProxy.StartAsync(o =>
        {
            (o.TlsPort, o.Certificates, o.HstsMaxAge, o.RedirectHttps) = (_tlsPort, [shop, admin], TimeSpan.FromDays(180), true);
        });
        await _proxy.SwapAsync(await _proxy.UpstreamAsync(app =>
            app.MapGet("/proto", (HttpRequest r) => Results.Text($"{r.Headers["X-Forwarded-Proto"]} {r.Headers["X-Forwarded-Host"]}"))));
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<(SslStream Tls, X509Certificate2 Seen)> ConnectAsync(string serverName) => TlsClient.ConnectAsync(_tlsPort, serverName);

    private static Task<string> GetAsync(SslStream tls, string host, string path) => TlsClient.GetAsync(tls, host, path);

    [Theory]
    [InlineData("shop.test", "CN=shop")]
    [InlineData("www.shop.test", "CN=shop")]
    [InlineData("admin.shop.test", "CN=admin")]
    [InlineData("ops.admin.shop.test", "CN=admin")]
    [InlineData("unknown.example", "CN=shop")]
    public async Task EachNameGetsItsCertificate_AndTheAppHearsHttps_WithHsts(string name, string subject)
    {
        var (tls, seen) = await ConnectAsync(name);
        using var _ = tls;

        var answer = await GetAsync(tls, name, "/proto");

        seen.Subject.ShouldBe(subject);
        answer.ShouldStartWith("HTTP/1.1 200 OK");
        answer.ShouldEndWith($"https {name}");
        answer.ShouldContain("Strict-Transport-Security: max-age=15552000");
    }

    [Fact]
    public async Task CertificateReplacedWhileClientsAreConnected_NewConnectionsGetTheNewOne_OpenOnesGoOn()
    {
        var (open, before) = await ConnectAsync("shop.test");
        using var _ = open;
        (await GetAsync(open, "shop.test", "/proto")).ShouldStartWith("HTTP/1.1 200 OK");

        TestCertificates.Write(_dir, "shop", "shop-renewed", "shop.test", "www.shop.test");
        string? renewed = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(15); renewed != "CN=shop-renewed" && DateTime.UtcNow < deadline;)
        {
            var (fresh, seen) = await ConnectAsync("shop.test");
            renewed = seen.Subject;
            (await GetAsync(fresh, "shop.test", "/proto")).ShouldStartWith("HTTP/1.1 200 OK");
            await fresh.DisposeAsync();
        }

        before.Subject.ShouldBe("CN=shop");
        renewed.ShouldBe("CN=shop-renewed", "a new connection gets the renewed certificate within a few seconds");
        (await GetAsync(open, "shop.test", "/proto")).ShouldStartWith("HTTP/1.1 200 OK", customMessage: "the connection opened before goes on");
        var (other, admin) = await ConnectAsync("admin.shop.test");
        await other.DisposeAsync();
        admin.Subject.ShouldBe("CN=admin", "the other name's certificate is untouched");
    }

    [Fact]
    public async Task BrokenReplacement_KeepsServingTheCertificateBefore()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "admin.crt"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        // Past two reload beats: the broken file was read and refused by now.
        await Task.Delay(TimeSpan.FromSeconds(4.5));
        var (tls, seen) = await ConnectAsync("admin.shop.test");
        using var _ = tls;
        (await GetAsync(tls, "admin.shop.test", "/proto")).ShouldStartWith("HTTP/1.1 200 OK");

        TestCertificates.Write(_dir, "admin", "admin-mended", "admin.shop.test", "*.admin.shop.test");
        string? mended = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(15); mended != "CN=admin-mended" && DateTime.UtcNow < deadline;)
        {
            var (fresh, now) = await ConnectAsync("admin.shop.test");
            await fresh.DisposeAsync();
            mended = now.Subject;
        }

        seen.Subject.ShouldBe("CN=admin", "the broken file left the certificate before in place");
        mended.ShouldBe("CN=admin-mended", "a good file written after the broken one is taken");
    }

    [Theory]
    [InlineData("shop.test", "/cart?item=7", "https://shop.test:{0}/cart?item=7")]
    [InlineData("shop.test:8080", "/", "https://shop.test:{0}/")]
    public async Task PlainRequest_IsRedirectedToHttps(string host, string target, string location)
    {
        var answer = await _proxy.RawAsync($"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");

        answer.ShouldStartWith("HTTP/1.1 308 Permanent Redirect");
        answer.ShouldContain($"Location: {string.Format(System.Globalization.CultureInfo.InvariantCulture, location, _tlsPort)}\r\n");
        answer.ShouldNotContain("Strict-Transport-Security", customMessage: "HSTS is said over HTTPS only");
    }

    [Fact]
    public async Task PlainPostWithABody_IsRedirected_AndTheAnswerArrivesWhole()
    {
        var answer = await _proxy.RawAsync("POST /checkout HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 20000\r\n\r\n" + new string('x', 20000));

        answer.ShouldStartWith("HTTP/1.1 308 Permanent Redirect");
        answer.ShouldContain("Connection: close");
        answer.ShouldContain($"Location: https://shop.test:{_tlsPort}/checkout\r\n");
    }

    [Fact]
    public async Task PlainAcmeChallenge_GoesToTheApp_AndAHostlessRedirectIsRefused()
    {
        var challenge = await _proxy.RawAsync("GET /.well-known/acme-challenge/abc HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n");
        var hostile = await _proxy.RawAsync("GET / HTTP/1.1\r\nHost: evil.test/\"><script>\r\nConnection: close\r\n\r\n");

        challenge.ShouldStartWith("HTTP/1.1 404", customMessage: "the app answers the challenge path itself (this one has no such route)");
        hostile.ShouldStartWith("HTTP/1.1 400");
        hostile.ShouldNotContain("Location:");
    }

    [Fact]
    public async Task PlainTextOnTheHttpsPort_IsTurnedAway_AndCounted_WhileTlsClientsAreServed()
    {
        using (var plain = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await plain.ConnectAsync(IPAddress.Loopback, _tlsPort);
            await plain.SendAsync("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n"u8.ToArray());
            var refused = await TestProxy.ReadAsync(plain);
            refused.ShouldStartWith("HTTP/1.1 400 Bad Request");
            refused.ShouldContain("this port speaks HTTPS");
        }
        var (tls, _) = await ConnectAsync("shop.test");
        using var _ = tls;

        (await GetAsync(tls, "shop.test", "/proto")).ShouldStartWith("HTTP/1.1 200 OK");
        var stats = await _proxy.Http.GetFromJsonAsync<ProxyStats>($"http://127.0.0.1:{_proxy.ControlPort}/stats");
        stats!.HandshakeFailures.ShouldBe(1);
    }

    [Fact]
    public async Task TheHttpsPortMovesAndCloses_OnTheControlPort_OpenConnectionsGoOn_AndATakenPortIsRefused()
    {
        var (open, _) = await ConnectAsync("shop.test");
        using var _ = open;
        var moved = FreePorts.Next();
        using var taken = new Socket(SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var control = $"http://127.0.0.1:{_proxy.ControlPort}";

        var refused = await _proxy.Http.PutAsJsonAsync($"{control}/tls/port", new PortRequest(((IPEndPoint)taken.LocalEndPoint!).Port));
        var move = await _proxy.Http.PutAsJsonAsync($"{control}/tls/port", new PortRequest(moved));
        var (fresh, seen) = await TlsClient.ConnectAsync(moved, "admin.shop.test");
        await fresh.DisposeAsync();
        var redirect = await _proxy.RawAsync("GET / HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n");
        var oldPortRefuses = await Should.ThrowAsync<SocketException>(() => ConnectAsync("shop.test"));
        var close = await _proxy.Http.PutAsJsonAsync($"{control}/tls/port", new PortRequest(null));
        var plainAfter = await _proxy.RawAsync("GET /proto HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n");

        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("cannot be listened on");
        move.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        seen.Subject.ShouldBe("CN=admin");
        redirect.ShouldContain($"Location: https://shop.test:{moved}/\r\n", customMessage: "the redirect follows the port");
        oldPortRefuses.SocketErrorCode.ShouldBe(SocketError.ConnectionRefused);
        close.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await Should.ThrowAsync<SocketException>(() => TlsClient.ConnectAsync(moved, "shop.test"));
        plainAfter.ShouldStartWith("HTTP/1.1 200 OK", customMessage: "with no HTTPS port there is nothing to redirect to");
        (await GetAsync(open, "shop.test", "/proto")).ShouldStartWith("HTTP/1.1 200 OK", customMessage: "the connection opened before goes on");
        (await _proxy.Http.GetFromJsonAsync<TlsView>($"{control}/tls"))!.Port.ShouldBeNull();
    }

    [Fact]
    public async Task TheAgentGivesTheProxyNewCertificatesAndHsts_InPlace_WithoutARestart()
    {
        var (open, _) = await ConnectAsync("shop.test");
        using var _ = open;
        // The proxy runs in this test; the record names a stand-in process, which a restart would stop (and then fail to start /bin/false).
        using var standIn = System.Diagnostics.Process.Start("sleep", "120");
        var keeper = new ProxyKeeper(new AgentOptions { Root = _dir, SelfCommand = ["/bin/false"] }, TimeProvider.System);
        var started = new ProxyTls(_tlsPort, [Spec(_shopFiles), Spec(_adminFiles)], RedirectHttps: true, HstsMaxAgeSeconds: 15552000);
        var record = new ProxyRecord(new ProcessRef(standIn.Id, 0), _proxy.Port, _proxy.ControlPort,
            string.Join(' ', started.Arguments().Select(Processes.Quote)));
        var renewed = TestCertificates.Write(_dir, "shop-next", "shop-next", "shop.test", "www.shop.test");
        var broken = Path.Combine(_dir, "broken.crt");
        await File.WriteAllTextAsync(broken, "not a certificate");

        var after = await keeper.EnsureAsync(new HostLayout(_dir, "shop"), record, Runtime(new ProxyTls(_tlsPort, [Spec(renewed)])), default);
        var refused = await Should.ThrowAsync<InvalidOperationException>(() =>
            keeper.EnsureAsync(new HostLayout(_dir, "shop"), after, Runtime(new ProxyTls(_tlsPort, [new ProxyCertificate(["shop.test"], broken, renewed.KeyPath)])), default));
        var refusedMove = await Should.ThrowAsync<InvalidOperationException>(() =>
            keeper.EnsureAsync(new HostLayout(_dir, "shop"), after, Runtime(new ProxyTls(FreePorts.Next(), [new ProxyCertificate(["shop.test"], broken, renewed.KeyPath)])), default));

        after.Process.ShouldBe(record.Process, "the proxy was not started again");
        after.Tls.ShouldBe(string.Join(' ', new ProxyTls(_tlsPort, [Spec(renewed)]).Arguments().Select(Processes.Quote)), "the new settings are recorded, for the proxy's next start");
        refused.Message.ShouldContain("broken.crt");
        refusedMove.Message.ShouldContain("broken.crt");
        (await _proxy.Http.GetFromJsonAsync<TlsView>($"http://127.0.0.1:{_proxy.ControlPort}/tls"))!.Port.ShouldBe(_tlsPort, "a move whose certificates were refused went back");
        var (fresh, seen) = await ConnectAsync("admin.shop.test");
        await using (fresh)
            seen.Subject.ShouldBe("CN=shop-next", "the admin certificate is no longer asked for: the first one is shown");
        var later = await GetAsync(open, "shop.test", "/proto");
        later.ShouldStartWith("HTTP/1.1 200 OK", customMessage: "the connection opened before goes on");
        later.ShouldNotContain("Strict-Transport-Security", customMessage: "HSTS was turned off");
        var moved = FreePorts.Next();
        var onNewPort = await keeper.EnsureAsync(new HostLayout(_dir, "shop"), after, Runtime(new ProxyTls(moved, [Spec(renewed)])), default);
        var (movedTls, movedSeen) = await TlsClient.ConnectAsync(moved, "shop.test");
        await movedTls.DisposeAsync();
        var off = await keeper.EnsureAsync(new HostLayout(_dir, "shop"), onNewPort, Runtime(null), default);

        movedSeen.Subject.ShouldBe("CN=shop-next", "the HTTPS port moved in place");
        await Should.ThrowAsync<SocketException>(() => TlsClient.ConnectAsync(_tlsPort, "shop.test"));
        await Should.ThrowAsync<SocketException>(() => TlsClient.ConnectAsync(moved, "shop.test"));
        (off.Process, off.Tls).ShouldBe((record.Process, null), "HTTPS was turned off in place");
        (await GetAsync(open, "shop.test", "/proto")).ShouldStartWith("HTTP/1.1 200 OK", customMessage: "a connection opened on the old port outlives it");
        standIn.HasExited.ShouldBeFalse();
        standIn.Kill();
        (await _proxy.RawAsync("GET /proto HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n")).ShouldStartWith("HTTP/1.1 200 OK", customMessage: "the redirect was turned off");
    }

    private static ProxyCertificate Spec(CertificateFiles files) => new(files.Names, files.CertPath, files.KeyPath);

    private AppRuntime Runtime(ProxyTls? tls) =>
        new("./run", null, null, "/health", 30, _proxy.Port, 10, 5, [], new Dictionary<string, string>(), Tls: tls);
}
