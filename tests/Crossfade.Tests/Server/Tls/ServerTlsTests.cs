using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crossfade.Core.Links;
using Crossfade.Server;
using Crossfade.Server.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace Crossfade.Tests.Server.Tls;

/// <summary>The server serves HTTPS: its own certificate kept across restarts, or the operator's, read again when replaced; tokens carry its key pin; plain HTTP only on loopback unless asked for.</summary>
public sealed class ServerTlsTests
{
    private static HttpClient Pinned(string url, string pin, string? token = null)
    {
        var client = new HttpClient(new PinnedTls(pin).Handler()) { BaseAddress = new Uri(url) };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task ItsOwnCertificate_IsMadeOnFirstStart_AndKept_WithTheKeyReadableByTheServerOnly()
    {
        await using var server = new TlsServer();
        await server.StartAsync();
        var pin = server.Services.GetRequiredService<ServerCertificates>().Pin;
        using (var client = Pinned(server.Url, pin))
            (await client.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        File.GetUnixFileMode(Path.Combine(server.DataDir, "tls", "server.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await server.StopAsync();
        await server.StartAsync();

        server.Services.GetRequiredService<ServerCertificates>().Pin.ShouldBe(pin);
        using var again = Pinned(server.Url, pin);
        (await again.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TokensMadeOverHttps_CarryThePin_AndWorkWithOrWithoutIt()
    {
        await using var server = new TlsServer();
        await server.StartAsync();
        var pin = server.Services.GetRequiredService<ServerCertificates>().Pin;
        using var admin = Pinned(server.Url, pin, server.AdminToken);

        var made = await (await admin.PostAsJsonAsync("/api/v1/tokens", new { role = "viewer", name = "ana" })).Content.ReadFromJsonAsync<JsonElement>();
        var token = made.GetProperty("token").GetString()!;

        made.GetProperty("fingerprint").GetString().ShouldBe(pin);
        JoinToken.Split(token).Pin.ShouldBe(pin);
        // The whole token as a bearer (the server reads the secret part), over a link pinned by the token itself.
        using var joined = Pinned(server.Url, JoinToken.Split(token).Pin!, token);
        var me = await joined.GetFromJsonAsync<JsonElement>("/api/v1/whoami");
        (me.GetProperty("name").GetString(), me.GetProperty("role").GetString()).ShouldBe(("ana", "viewer"));
        using var bare = Pinned(server.Url, pin, JoinToken.Split(token).Secret);
        (await bare.GetAsync("/api/v1/whoami")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AClientPinningAnotherKey_OrTrustingOnlyAuthorities_RefusesTheServer_SayingWhatItSaw()
    {
        await using var server = new TlsServer();
        await server.StartAsync();
        var pin = server.Services.GetRequiredService<ServerCertificates>().Pin;
        var wrong = "sha256:" + new string('0', 64);

        var (pinned, unpinned) = (new PinnedTls(wrong), new PinnedTls(null));
        using (var client = new HttpClient(pinned.Handler()))
            await Should.ThrowAsync<HttpRequestException>(() => client.GetAsync(server.Url + "/healthz"));
        using (var client = new HttpClient(unpinned.Handler()))
            await Should.ThrowAsync<HttpRequestException>(() => client.GetAsync(server.Url + "/healthz"));

        pinned.Refused.ShouldBe(pin);
        pinned.Explain(server.Url, "log in again").ShouldBe(
            $"the server at {server.Url} presented a certificate over the key {pin}, but this link pinned {wrong}: it refuses to talk. If the server's key changed on purpose, log in again; if not, something is between you and the server");
        unpinned.Explain(server.Url, "-")!.ShouldContain($"no authority this system trusts vouches for; pin it with a token that carries its fingerprint, or --fingerprint {pin}");
    }

    [Fact]
    public async Task TheOperatorsCertificate_IsServed_AndAReplacementTakesEffectForNewConnections_WhileOpenOnesGoOn()
    {
        var files = Directory.CreateTempSubdirectory("cf-certs-").FullName;
        try
        {
            var (cert, key) = (Path.Combine(files, "shop.crt"), Path.Combine(files, "shop.key"));
            SelfSigned.Write(cert, key, "https://127.0.0.1:1", DateTimeOffset.UtcNow);
            await using var server = new TlsServer();
            await server.StartAsync(cert, key);
            var first = server.Services.GetRequiredService<ServerCertificates>().Pin;
            using var open = Pinned(server.Url, first);
            (await open.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);

            // A renewal with a new key, written as certbot does: the new files moved into place.
            SelfSigned.Write(cert + ".next", key + ".next", "https://127.0.0.1:1", DateTimeOffset.UtcNow);
            File.Move(key + ".next", key, overwrite: true);
            File.Move(cert + ".next", cert, overwrite: true);

            string? second = null;
            await Eventually.TrueAsync(() =>
            {
                second = server.Services.GetRequiredService<ServerCertificates>().Pin;
                return Task.FromResult(second != first);
            });
            using (var fresh = Pinned(server.Url, second!))
                (await fresh.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await open.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK, "a connection opened before the renewal goes on");
            using var stale = Pinned(server.Url, first);
            await Should.ThrowAsync<HttpRequestException>(() => stale.GetAsync("/healthz"));
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }

    [Theory]
    [InlineData("http://0.0.0.0:7400", false, true)]
    [InlineData("http://*:7400", false, true)]
    [InlineData("http://10.1.2.3:7400", false, true)]
    [InlineData("https://127.0.0.1:7400;http://[::]:7401", false, true)]
    [InlineData("http://0.0.0.0:7400", true, false)]
    [InlineData("http://127.0.0.1:7400", false, false)]
    [InlineData("http://127.9.9.9:7400", false, false)]
    [InlineData("http://localhost:7400", false, false)]
    [InlineData("http://[::1]:7400", false, false)]
    [InlineData("https://0.0.0.0:7400", false, false)]
    public void PlainHttp_IsOnlyForLoopback_UnlessAskedForByName(string urls, bool insecure, bool refused)
    {
        var options = new ServerOptions { Urls = urls, InsecureHttp = insecure };

        if (refused)
            Should.Throw<ArgumentException>(options.Validate).Message.ShouldContain("--insecure-http");
        else
            options.Validate();
    }

    [Fact]
    public async Task ACertificateThatCannotBeRead_StopsTheStart_SayingWhichFile()
    {
        var files = Directory.CreateTempSubdirectory("cf-certs-").FullName;
        try
        {
            var (cert, key) = (Path.Combine(files, "a.crt"), Path.Combine(files, "a.key"));
            await File.WriteAllTextAsync(cert, "not a certificate");
            await File.WriteAllTextAsync(key, "not a key");
            await using var server = new TlsServer();

            var refused = await Should.ThrowAsync<ArgumentException>(() => server.StartAsync(cert, key));

            refused.Message.ShouldContain(cert);
            Should.Throw<ArgumentException>(new ServerOptions { Urls = "https://127.0.0.1:1", TlsCertPath = cert }.Validate).Message.ShouldContain("--tls-key");
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }
}
