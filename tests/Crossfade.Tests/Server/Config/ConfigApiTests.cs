using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crossfade.Tests.Server.Api;

namespace Crossfade.Tests.Server.Config;

public sealed class ConfigApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Spec = """
        app: vault-shop
        run: ./run
        config:
          file: deploy/config.yml
          variables: { banner: hi }
          secrets: [api_key]
        environments:
          prod:
            hosts:
              web-1: [web]
        """;

    private async Task ApplyAsync() =>
        (await server.Admin.PostAsJsonAsync("/api/v1/apps", new { spec = Spec, fileName = "crossfade.yml" })).EnsureSuccessStatusCode();

    private async Task PushAsync(string version, params (string Name, string Text)[] files)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            foreach (var (name, text) in files)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        (await server.Admin.PostAsync($"/api/v1/apps/vault-shop/releases?version={version}", content)).EnsureSuccessStatusCode();
    }

    private async Task<HttpClient> ClientWithRoleAsync(string role)
    {
        var created = await (await server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role, name = $"{role}-user" })).Content.ReadFromJsonAsync<JsonElement>();
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(server.Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("token").GetString());
        return client;
    }

    [Fact]
    public async Task SetSecret_IsStoredEncrypted_AndNoAnswerEverHoldsItsValue()
    {
        await ApplyAsync();
        const string value = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

        var set = await server.Admin.PutAsJsonAsync("/api/v1/apps/vault-shop/secrets/api_key", new { value });
        set.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var listed = await server.Admin.GetStringAsync("/api/v1/apps/vault-shop/secrets");

        listed.ShouldContain("\"name\":\"api_key\"");
        listed.ShouldContain("\"declared\":true");
        listed.ShouldNotContain(value);
        var stored = Directory.EnumerateFiles(server.DataDir, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}keys{Path.DirectorySeparatorChar}"))
            .Select(f => Encoding.UTF8.GetString(ReadShared(f)));
        stored.ShouldAllBe(text => !text.Contains(value));
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task SecretEndpoints_KeepToTheirRoles()
    {
        await ApplyAsync();
        using var deployer = await ClientWithRoleAsync("deployer");
        using var viewer = await ClientWithRoleAsync("viewer");

        (await deployer.PutAsJsonAsync("/api/v1/apps/vault-shop/secrets/api_key", new { value = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewer.GetAsync("/api/v1/apps/vault-shop/secrets")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await deployer.GetAsync("/api/v1/apps/vault-shop/secrets")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await server.Anonymous.GetAsync("/api/v1/apps/vault-shop/secrets")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("api_key", "{\"value\": \"\"}", "'value' is required")]
    [InlineData("api_key", "{\"value\": \"x\", \"environment\": \"staging\"}", "no environment 'staging'")]
    [InlineData("bad-name", "{\"value\": \"x\"}", "is not a secret name")]
    [InlineData("api_key", "{\"value\": 12}", "$.value")]
    public async Task SetSecret_BadInput_Is400NamingTheProblem(string name, string body, string expected)
    {
        await ApplyAsync();

        var response = await server.Admin.PutAsync($"/api/v1/apps/vault-shop/secrets/{name}", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(expected);
    }

    [Fact]
    public async Task Deploy_WithInvalidConfiguration_IsRefusedWithEveryErrorAndNothingStarts()
    {
        await ApplyAsync();
        (await server.Admin.DeleteAsync("/api/v1/apps/vault-shop/secrets/api_key")).StatusCode.ShouldBeOneOf(HttpStatusCode.NoContent, HttpStatusCode.NotFound);
        await PushAsync("bad-1",
            ("deploy/config.yml", "resources:\n  - file: app.json\n    template: deploy/app.tmpl\n  - file: app.json\n    content: twice\n  - socket: /run/x\n"),
            ("deploy/app.tmpl", "{{ banner }} {{ colour }}"));
        await PushAsync("bad-2",
            ("deploy/config.yml", "resources:\n  - file: app.json\n    template: deploy/app.tmpl\n"),
            ("deploy/app.tmpl", "banner={{ banner }}\ncolour={{ colour }}\nkey={{ api_key }}\n"));

        var first = await server.Admin.PostAsJsonAsync("/api/v1/apps/vault-shop/deploys", new { environment = "prod", version = "bad-1" });
        var second = await server.Admin.PostAsJsonAsync("/api/v1/apps/vault-shop/deploys", new { environment = "prod", version = "bad-2" });

        first.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var errors = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray()
            .Select(e => $"{e.GetProperty("file").GetString()}:{e.GetProperty("line").GetInt32()}: {e.GetProperty("message").GetString()}").ToList();
        errors.ShouldContain(e => e.StartsWith("deploy/config.yml:4:") && e.Contains("declared twice"));
        errors.ShouldContain(e => e.StartsWith("deploy/config.yml:6:") && e.Contains("unknown resource type 'socket'"));
        second.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var secondErrors = (await second.Content.ReadAsStringAsync());
        secondErrors.ShouldContain("the variable 'colour' has no value on any host (web-1)");
        secondErrors.ShouldContain("the secret 'api_key' has no value; set it with 'crossfade secret set vault-shop api_key --env prod'");
        (await server.Admin.GetFromJsonAsync<JsonElement>("/api/v1/apps/vault-shop/deploys")).GetArrayLength().ShouldBe(0);
    }
}
