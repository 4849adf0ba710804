using System.Net.Http.Headers;
using Crossfade.Agent.Instances;
using Crossfade.Server;
using Crossfade.Server.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Crossfade.Tests.Server.Api;

/// <summary>A real server on a real socket with its own data folder, and a client holding its admin token.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public string DataDir { get; } = Directory.CreateTempSubdirectory("cf-server-").FullName;
    public WebApplication App { get; private set; } = null!;
    public HttpClient Admin { get; } = new(new SocketsHttpHandler { UseProxy = false });
    public HttpClient Anonymous { get; } = new(new SocketsHttpHandler { UseProxy = false });
    public string Url { get; private set; } = "";

    /// <summary>A client of its own sending <paramref name="authorization"/> as is (or nothing), so no test changes a shared one.</summary>
    public HttpClient ClientWith(string? authorization)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(Url) };
        if (authorization is not null)
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        return client;
    }

    public async Task InitializeAsync()
    {
        Url = $"http://127.0.0.1:{FreePorts.Next()}";
        App = await ServerHost.BuildAsync(new ServerOptions { DataDir = DataDir, Urls = Url, MaxUploadBytes = 64 * 1024 });
        await App.StartAsync();
        Admin.BaseAddress = Anonymous.BaseAddress = new Uri(Url);
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(DataDir, "admin.token")).Trim());
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        Directory.Delete(DataDir, recursive: true);
    }
}
