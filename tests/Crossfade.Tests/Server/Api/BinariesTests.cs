using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Crossfade.Agent.Instances;
using Crossfade.Contracts.V1;
using Crossfade.Server;
using Crossfade.Server.Auth;
using Crossfade.Server.Hosting;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Crossfade.Tests.Server.Api;

/// <summary>The server hands hosts the single-file binary of their platform, with its hash; only admins and agents get it.</summary>
public sealed class BinariesTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cf-bin-data-").FullName;
    private readonly string _binaries = Directory.CreateTempSubdirectory("cf-bin-").FullName;
    private readonly byte[] _arm = RandomNumberGenerator.GetBytes(300_000);
    private WebApplication _app = null!;
    private string _url = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_binaries, "linux-arm64"));
        await File.WriteAllBytesAsync(Path.Combine(_binaries, "linux-arm64", "crossfade"), _arm);
        await File.WriteAllTextAsync(Path.Combine(_binaries, "linux-arm64", "crossfade.version"), "0.9.0+abc\n");
        // Not a platform: never listed, never served.
        Directory.CreateDirectory(Path.Combine(_binaries, "windows-x64"));
        await File.WriteAllTextAsync(Path.Combine(_binaries, "windows-x64", "crossfade"), "MZ");
        _url = $"http://127.0.0.1:{FreePorts.Next()}";
        _app = await ServerHost.BuildAsync(new ServerOptions { DataDir = _data, Urls = _url, BinariesDir = _binaries });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_data, recursive: true);
        Directory.Delete(_binaries, recursive: true);
    }

    private async Task<HttpClient> ClientAsync(string role)
    {
        var secret = TokenSecrets.New("cft");
        await _app.Services.GetRequiredService<IStore>().AddTokenAsync(new TokenRecord(TokenSecrets.Hash(secret), role + "-1", role, DateTimeOffset.UtcNow), default);
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(_url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    [Fact]
    public async Task AnAdmin_ListsTheBinariesWithTheirHashes_AndAnAgentDownloadsOne_ThatMatches()
    {
        using var admin = await ClientAsync(Roles.Admin);
        using var agent = await ClientAsync(Roles.Agent);
        var sha = Convert.ToHexStringLower(SHA256.HashData(_arm));

        var listed = (await admin.GetFromJsonAsync<List<BinaryView>>("/api/v1/binaries"))!;
        using var download = await agent.GetAsync("/api/agent/v1/binaries/linux-arm64");
        var bytes = await download.Content.ReadAsByteArrayAsync();

        listed.ShouldContain(new BinaryView("linux-arm64", "0.9.0+abc", _arm.Length, sha));
        listed.ShouldNotContain(b => b.Rid == "windows-x64");
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        download.Headers.GetValues("X-Crossfade-Sha256").Single().ShouldBe(sha);
        Convert.ToHexStringLower(SHA256.HashData(bytes)).ShouldBe(sha);
    }

    [Theory]
    [InlineData("/api/v1/binaries/linux-arm64", Roles.Deployer, HttpStatusCode.Forbidden)]
    [InlineData("/api/agent/v1/binaries/linux-arm64", Roles.Viewer, HttpStatusCode.Forbidden)]
    [InlineData("/api/v1/binaries/windows-x64", Roles.Admin, HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/binaries/..%2F..%2Fcrossfade.db", Roles.Admin, HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/binaries/linux-x64", Roles.Admin, HttpStatusCode.NotFound)]
    public async Task OthersAndStrangePlatforms_GetNothing(string path, string role, HttpStatusCode expected)
    {
        using var client = await ClientAsync(role);

        (await client.GetAsync(path)).StatusCode.ShouldBe(expected);
    }
}
