using Crossfade.Agent.Instances;
using Crossfade.Server;
using Crossfade.Server.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Crossfade.Tests.Server.Tls;

/// <summary>A real server serving HTTPS on loopback, with its own data folder (kept across restarts on the same port).</summary>
internal sealed class TlsServer : IAsyncDisposable
{
    private WebApplication? _app;

    public string DataDir { get; } = Directory.CreateTempSubdirectory("cf-tls-").FullName;
    public int Port { get; } = FreePorts.Next();
    public string Url => $"https://127.0.0.1:{Port}";
    public IServiceProvider Services => _app!.Services;

    public string AdminToken => File.ReadAllText(Path.Combine(DataDir, "admin.token")).Trim();

    public async Task StartAsync(string? certPath = null, string? keyPath = null)
    {
        _app = await ServerHost.BuildAsync(new ServerOptions { DataDir = DataDir, Urls = Url, TlsCertPath = certPath, TlsKeyPath = keyPath, PollWait = TimeSpan.FromSeconds(1) });
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(DataDir, recursive: true);
    }
}
