using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Server.Api;

/// <summary>Tokens listed without their secrets, revoked at once, and never the last admin one.</summary>
public sealed class TokensApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task<(string Secret, TokenInfoView Info)> CreateAsync(string role, string name)
    {
        var created = await (await server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role, name })).Content.ReadFromJsonAsync<JsonElement>();
        var secret = created.GetProperty("token").GetString()!;
        var info = (await ListAsync()).Single(t => t.Name == name);
        return (secret, info);
    }

    private async Task<List<TokenInfoView>> ListAsync() =>
        (await server.Admin.GetFromJsonAsync<List<TokenInfoView>>("/api/v1/tokens"))!;

    private HttpClient As(string secret)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.Admin.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    [Fact]
    public async Task RevokedToken_IsRefusedFromTheNextRequestOn_AndLeavesTheList()
    {
        var (secret, info) = await CreateAsync("viewer", "ci-reader");
        using var reader = As(secret);
        (await reader.GetAsync("/api/v1/hosts")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var revoked = await server.Admin.DeleteAsync($"/api/v1/tokens/{info.Id}");

        revoked.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await reader.GetAsync("/api/v1/hosts")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ListAsync()).ShouldNotContain(t => t.Name == "ci-reader");
        (await server.Admin.DeleteAsync($"/api/v1/tokens/{info.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_ShowsIdsNamesAndRoles_NeverASecret()
    {
        var (secret, info) = await CreateAsync("deployer", "pipeline");

        var raw = await server.Admin.GetStringAsync("/api/v1/tokens");

        info.Role.ShouldBe("deployer");
        info.Id.Length.ShouldBe(12);
        raw.ShouldNotContain(secret);
        raw.ShouldNotContain(File.ReadAllText(Path.Combine(server.DataDir, "admin.token")).Trim());
    }

    [Fact]
    public async Task LastAdminToken_CannotBeRevoked_ButASpareOneCan()
    {
        var bootstrap = (await ListAsync()).Single(t => t.Role == "admin");
        var (_, spare) = await CreateAsync("admin", "spare-admin");

        (await server.Admin.DeleteAsync($"/api/v1/tokens/{spare.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var last = await server.Admin.DeleteAsync($"/api/v1/tokens/{bootstrap.Id}");

        last.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await last.Content.ReadAsStringAsync()).ShouldContain("last admin token");
        (await server.Admin.GetAsync("/api/v1/tokens")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("abc", HttpStatusCode.BadRequest, "at least 8 lower-case hex digits")]
    [InlineData("ZZZZZZZZZZ", HttpStatusCode.BadRequest, "at least 8 lower-case hex digits")]
    [InlineData("0000000000000", HttpStatusCode.NotFound, "no token with id")]
    public async Task Revoke_BadOrUnknownId_IsRefusedNamingWhy(string id, HttpStatusCode status, string expected)
    {
        var response = await server.Admin.DeleteAsync($"/api/v1/tokens/{id}");

        response.StatusCode.ShouldBe(status);
        (await response.Content.ReadAsStringAsync()).ShouldContain(expected);
    }

    [Fact]
    public async Task OnlyAdmins_ListOrRevoke()
    {
        var (secret, info) = await CreateAsync("deployer", "not-an-admin");
        using var deployer = As(secret);

        (await deployer.GetAsync("/api/v1/tokens")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await deployer.DeleteAsync($"/api/v1/tokens/{info.Id}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await server.Anonymous.GetAsync("/api/v1/tokens")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
