using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Crossfade.Agent;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Proxy;
using Crossfade.Cli;
using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Proxy;

/// <summary>
/// The agent's shared proxy of a port, as a real <c>crossfade proxy</c> process: started for an app without HTTPS,
/// it opens its HTTPS port in place for the next; two apps naming their hosts share it, each with its own
/// certificate and redirect; one renews its certificate in place (the same
/// process serves it, no restart); an app asking for another HTTPS port is refused, naming the apps that use
/// it; the port closes when the last app using HTTPS stops, and the next may open another.
/// </summary>
public sealed class AppsSharingAPortBringTheirOwnHttps : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("cf-it-shared-tls-").FullName;
    private readonly List<ProcessRef> _started = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _started.Distinct())
            await Processes.StopAsync(process, TimeSpan.FromSeconds(5), TimeProvider.System);
        Directory.Delete(_root, recursive: true);
    }

    private ProxyCertificate Certificate(string file, string name)
    {
        var (cert, key) = (Path.Combine(_root, "certs", file + ".crt"), Path.Combine(_root, "certs", file + ".key"));
        Crossfade.Core.Links.SelfSignedPem.Write(cert, key, file, [name], [], DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return new ProxyCertificate([name], cert, key);
    }

    private static AppRuntime Runtime(int port, string host, ProxyTls? tls) =>
        new("./run", null, null, "/health", 30, port, 10, 5, [], new Dictionary<string, string>(), Tls: tls, ProxyHosts: [host]);

    private static async Task<string> SubjectAsync(int tlsPort, string name)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, tlsPort);
        string? seen = null;
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = name,
            RemoteCertificateValidationCallback = (_, cert, _, _) => (seen = cert?.Subject) is not null,
        });
        return seen!;
    }

    private static async Task<string> PlainAsync(int port, string host)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/");
        request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        return $"{(int)response.StatusCode} {response.Headers.Location}";
    }

    [Fact]
    public async Task EachAppBringsItsOwnCertificateAndRedirect_AndRenewsInPlace()
    {
        var keeper = new ProxyKeeper(new AgentOptions { Root = _root, SelfCommand = SelfCommand.Get() }, TimeProvider.System);
        var (port, tlsPort) = (FreePorts.Next(), FreePorts.Next());
        var shopLayout = new HostLayout(_root, "shop");
        var blogLayout = new HostLayout(_root, "blog");

        // The first app on the port asks for no HTTPS: the proxy starts without an HTTPS port.
        var news = await keeper.EnsureAsync(new HostLayout(_root, "news"), null, Runtime(port, "news.test", null), default);
        _started.Add(news.Process);
        // An app whose certificate does not load is refused, and the port it would have opened closes again.
        var broken = Certificate("broken", "broken.test");
        await File.WriteAllTextAsync(broken.Cert, "not a certificate");
        var refused = await Should.ThrowAsync<InvalidOperationException>(() =>
            keeper.EnsureAsync(new HostLayout(_root, "broken"), null, Runtime(port, "broken.test", new ProxyTls(tlsPort, [broken])), default));
        using var control = new HttpClient();
        var afterRefusal = await control.GetStringAsync($"http://127.0.0.1:{news.ControlPort}/tls");
        var shop = await keeper.EnsureAsync(shopLayout, null, Runtime(port, "shop.test", new ProxyTls(tlsPort, [Certificate("shop", "shop.test")], RedirectHttps: true)), default);
        _started.Add(shop.Process);
        var blog = await keeper.EnsureAsync(blogLayout, null, Runtime(port, "blog.test", new ProxyTls(tlsPort, [Certificate("blog", "blog.test")])), default);
        _started.Add(blog.Process);
        var (shopSubject, blogSubject) = (await SubjectAsync(tlsPort, "shop.test"), await SubjectAsync(tlsPort, "blog.test"));
        var (shopPlain, blogPlain) = (await PlainAsync(port, "shop.test"), await PlainAsync(port, "blog.test"));
        var renewed = await keeper.EnsureAsync(shopLayout, shop, Runtime(port, "shop.test", new ProxyTls(tlsPort, [Certificate("shop-renewed", "shop.test")], RedirectHttps: true)), default);
        var elsewhere = await Should.ThrowAsync<InvalidOperationException>(() =>
            keeper.EnsureAsync(new HostLayout(_root, "outlet"), null, Runtime(port, "outlet.test", new ProxyTls(FreePorts.Next(), [Certificate("outlet", "outlet.test")])), default));

        refused.Message.ShouldContain("broken.crt");
        afterRefusal.ShouldContain("\"port\":null", customMessage: "the refused app's port was closed again");
        shop.Process.ShouldBe(news.Process, "the HTTPS port was opened in place, without a restart");
        blog.Process.ShouldBe(shop.Process, "both apps are sites of the one proxy of the port");
        (await PlainAsync(port, "news.test")).ShouldStartWith("503", customMessage: "the app without HTTPS is served on the plain port");
        (shopSubject, blogSubject).ShouldBe(("CN=shop", "CN=blog"));
        shopPlain.ShouldBe($"308 https://shop.test:{tlsPort}/");
        blogPlain.ShouldStartWith("503", customMessage: "the blog asked for no redirect: its request reaches it (nothing is live there yet)");
        renewed.Process.ShouldBe(shop.Process, "a renewed certificate needs no restart");
        (await SubjectAsync(tlsPort, "shop.test")).ShouldBe("CN=shop-renewed");
        (await SubjectAsync(tlsPort, "blog.test")).ShouldBe("CN=blog");
        elsewhere.Message.ShouldContain($"serves HTTPS on port {tlsPort} for '");
        elsewhere.Message.ShouldContain("'shop'");
        elsewhere.Message.ShouldContain("'blog'");

        // The blog, then the shop, stop asking for HTTPS: the port closes with the last; a later app may open another.
        await keeper.EnsureAsync(blogLayout, blog, Runtime(port, "blog.test", null), default);
        var whileShopUsesIt = await control.GetStringAsync($"http://127.0.0.1:{news.ControlPort}/tls");
        await keeper.EnsureAsync(shopLayout, renewed, Runtime(port, "shop.test", null), default);
        var afterTheLast = await control.GetStringAsync($"http://127.0.0.1:{news.ControlPort}/tls");
        var otherPort = FreePorts.Next();
        var outlet = await keeper.EnsureAsync(new HostLayout(_root, "outlet"), null, Runtime(port, "outlet.test", new ProxyTls(otherPort, [Certificate("outlet", "outlet.test")])), default);

        whileShopUsesIt.ShouldContain($"\"port\":{tlsPort}", customMessage: "the shop still used the port");
        afterTheLast.ShouldContain("\"port\":null", customMessage: "no app uses HTTPS: the port closed");
        outlet.Process.ShouldBe(news.Process);
        (await SubjectAsync(otherPort, "outlet.test")).ShouldBe("CN=outlet");
    }
}
