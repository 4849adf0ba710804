using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Crossfade.Tests.Server.Api;

public sealed class BadInputTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Spec = "app: shop\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n      web-1: [web]\n";

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private Task<HttpResponseMessage> ApplyAsync() =>
        server.Admin.PostAsJsonAsync("/api/v1/apps", new { spec = Spec, fileName = "crossfade.yml" });

    private static ByteArrayContent Gzip(params (string Name, TarEntryType Type, string? Link)[] entries)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            foreach (var (name, type, link) in entries)
            {
                var entry = new PaxTarEntry(type, name);
                if (link is not null)
                    entry.LinkName = link;
                else
                    entry.DataStream = new MemoryStream("x"u8.ToArray());
                tar.WriteEntry(entry);
            }
        return new ByteArrayContent(buffer.ToArray());
    }

    [Fact]
    public async Task MalformedJson_Is400NamingWhere()
    {
        var response = await server.Admin.PostAsync("/api/v1/apps/shop/deploys", new StringContent("{\"environment\": \"prod\", ", Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ProblemAsync(response)).GetProperty("detail").GetString()!.ShouldContain("malformed");
    }

    [Fact]
    public async Task WrongType_Is400NamingTheField()
    {
        (await ApplyAsync()).EnsureSuccessStatusCode();

        var response = await server.Admin.PostAsync("/api/v1/apps/shop/deploys", new StringContent("{\"environment\": \"prod\", \"version\": 12}", Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ProblemAsync(response)).GetProperty("detail").GetString()!.ShouldContain("$.version");
    }

    [Fact]
    public async Task UnknownApp_Is404()
    {
        var response = await server.Admin.PostAsJsonAsync("/api/v1/apps/nope/deploys", new { environment = "prod", version = "1" });

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ProblemAsync(response)).GetProperty("detail").GetString()!.ShouldContain("nope");
    }

    [Fact]
    public async Task InvalidSpec_Is422WithEveryErrorAndChangesNothing()
    {
        var response = await server.Admin.PostAsJsonAsync("/api/v1/apps", new { spec = "app: Bad Name\nhealth: 3\n" });

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var errors = (await ProblemAsync(response)).GetProperty("errors").EnumerateArray().ToList();
        errors.Count.ShouldBeGreaterThanOrEqualTo(4);
        errors.ShouldContain(e => e.GetProperty("field").GetString() == "health" && e.GetProperty("line").GetInt32() == 2);
        (await server.Admin.GetAsync("/api/v1/apps/bad-name")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OversizedUpload_Is413AndStoresNothing()
    {
        (await ApplyAsync()).EnsureSuccessStatusCode();

        var response = await server.Admin.PostAsync("/api/v1/apps/shop/releases?version=big", new ByteArrayContent(new byte[200 * 1024]));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await server.Admin.GetFromJsonAsync<JsonElement>("/api/v1/apps/shop/releases")).EnumerateArray().ShouldNotContain(r => r.GetProperty("version").GetString() == "big");
        Directory.GetFiles(Path.Combine(server.DataDir, "artifacts", "sha256")).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("../../etc/cron.d/evil", TarEntryType.RegularFile, null)]
    [InlineData("/etc/passwd", TarEntryType.RegularFile, null)]
    [InlineData("data", TarEntryType.SymbolicLink, "/var/lib")]
    public async Task HostileArchive_Is422NamingTheEntry(string name, TarEntryType type, string? link)
    {
        (await ApplyAsync()).EnsureSuccessStatusCode();

        var response = await server.Admin.PostAsync("/api/v1/apps/shop/releases?version=evil", Gzip(("ok.txt", TarEntryType.RegularFile, null), (name, type, link)));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await ProblemAsync(response)).GetProperty("detail").GetString()!.ShouldContain(name);
    }

    [Fact]
    public async Task LinkChainOutOfTheRelease_Is422NamingTheEntry_AndNothingIsStored()
    {
        (await ApplyAsync()).EnsureSuccessStatusCode();

        var response = await server.Admin.PostAsync("/api/v1/apps/shop/releases?version=chain",
            Gzip(("a", TarEntryType.SymbolicLink, "."), ("a/b", TarEntryType.SymbolicLink, ".."), ("a/b/x", TarEntryType.RegularFile, null)));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await ProblemAsync(response)).GetProperty("detail").GetString()!.ShouldContain("entry 'a/b': passes through the link 'a'");
        (await server.Admin.GetStringAsync("/api/v1/apps/shop/releases")).ShouldNotContain("\"chain\"");
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData(".hidden")]
    [InlineData("-rf")]
    [InlineData("1.0/2")]
    [InlineData("1.0\\2")]
    [InlineData("1.0%0A")]
    [InlineData("caf%C3%A9")]
    public async Task VersionThatIsNoName_Is400NamingTheRule(string version)
    {
        (await ApplyAsync()).EnsureSuccessStatusCode();

        var response = await server.Admin.PostAsync($"/api/v1/apps/shop/releases?version={version}", Gzip(("a.txt", TarEntryType.RegularFile, null)));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ProblemAsync(response)).GetProperty("detail").GetString()!.ShouldContain("a version is a name, not a path");
    }

    [Fact]
    public async Task VersionWithBuildMetadata_IsAccepted()
    {
        (await ApplyAsync()).EnsureSuccessStatusCode();

        var response = await server.Admin.PostAsync("/api/v1/apps/shop/releases?version=2.1.0-rc.1%2Bbuild_7", Gzip(("a.txt", TarEntryType.RegularFile, null)));

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task SameVersionWithOtherContent_IsRefused()
    {
        (await ApplyAsync()).EnsureSuccessStatusCode();
        (await server.Admin.PostAsync("/api/v1/apps/shop/releases?version=1.0", Gzip(("a.txt", TarEntryType.RegularFile, null)))).StatusCode.ShouldBe(HttpStatusCode.Created);

        var again = await server.Admin.PostAsync("/api/v1/apps/shop/releases?version=1.0", Gzip(("b.txt", TarEntryType.RegularFile, null)));

        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ForgedOrMissingToken_Is401_AndViewerCannotDeploy()
    {
        var admin = File.ReadAllText(Path.Combine(server.DataDir, "admin.token")).Trim();
        foreach (var authorization in new[] { null, "", "Bearer", "Bearer ", "Bearer cfa_forged", $"Bearer {admin}x", $"Bearer {admin[..^1]}", $"Basic {admin}", $"bearer  {admin} extra" })
        {
            using var client = server.ClientWith(authorization);
            (await client.GetAsync("/api/v1/apps")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"Authorization: {authorization ?? "(none)"}");
            (await client.PostAsJsonAsync("/api/v1/apps/shop/deploys", new { environment = "prod", version = "1" })).StatusCode
                .ShouldBe(HttpStatusCode.Unauthorized, $"Authorization: {authorization ?? "(none)"}");
        }
        var viewer = (await (await server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role = "viewer", name = "eve" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        using var eve = server.ClientWith($"Bearer {viewer}");

        var response = await eve.PostAsJsonAsync("/api/v1/apps/shop/deploys", new { environment = "prod", version = "1" });

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await eve.GetAsync("/api/v1/apps")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AgentApi_RefusesAdminToken_AndReusedEnrollmentToken()
    {
        (await server.Admin.PostAsJsonAsync("/api/agent/v1/poll", new { version = "1", liveReleases = new { } })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var enroll = (await (await server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role = "enroll" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();

        (await server.Anonymous.PostAsJsonAsync("/api/agent/v1/enroll", new { name = "web-9", roles = new[] { "web" }, enrollmentToken = enroll })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await server.Anonymous.PostAsJsonAsync("/api/agent/v1/enroll", new { name = "web-8", roles = new[] { "web" }, enrollmentToken = enroll })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task DeployToOfflineOrUnknownHosts_IsRefusedBeforeItStarts()
    {
        (await ApplyAsync()).EnsureSuccessStatusCode();
        await server.Admin.PostAsync("/api/v1/apps/shop/releases?version=2.0", Gzip(("a.txt", TarEntryType.RegularFile, null)));

        var response = await server.Admin.PostAsJsonAsync("/api/v1/apps/shop/deploys", new { environment = "prod", version = "2.0" });

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await ProblemAsync(response)).GetProperty("detail").GetString()!.ShouldContain("web-1 has never enrolled");
        (await server.Admin.GetFromJsonAsync<JsonElement>("/api/v1/apps/shop/deploys")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task OpenApiAndHealth_AreServed()
    {
        (await server.Anonymous.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var doc = await server.Anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        doc.GetProperty("paths").TryGetProperty("/api/v1/apps/{app}/deploys", out _).ShouldBeTrue();
    }
}
