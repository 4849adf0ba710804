using System.Net.Http.Json;
using Crossfade.Agent;
using Crossfade.Agent.Hosting;
using System.Net.Http.Headers;
using System.Text.Json;
using Crossfade.Core.Links;
using Crossfade.Core.Versioning;
using Crossfade.Server.Tls;
using Crossfade.Tests.Server.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crossfade.Tests.Agent.Hosting;

/// <summary>An agent enrolls over HTTPS trusting the key its token carries, keeps that pin, and refuses a server presenting any other.</summary>
public sealed class AgentPinTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cf-agent-pin-").FullName;
    private readonly string _certs = Directory.CreateTempSubdirectory("cf-certs-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_certs, recursive: true);
    }

    private AgentRunner Agent(string url, string? token) => AgentHost.Build(new AgentOptions
    {
        Server = url, Name = "pin-host-1", Root = _root, Token = token, ShipLogs = false, SelfCommand = ["/bin/false"], PollWait = TimeSpan.FromSeconds(1),
    }, NullLoggerFactory.Instance);

    [Fact]
    public async Task TheAgent_PinsTheKeyItsTokenCarries_AndRefusesAServerPresentingAnother()
    {
        var (cert, key) = (Path.Combine(_certs, "server.crt"), Path.Combine(_certs, "server.key"));
        SelfSigned.Write(cert, key, "https://127.0.0.1:1", DateTimeOffset.UtcNow);
        await using var server = new TlsServer();
        await server.StartAsync(cert, key);
        var pin = server.Services.GetRequiredService<ServerCertificates>().Pin;
        using var admin = new HttpClient(new PinnedTls(pin).Handler()) { BaseAddress = new Uri(server.Url) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminToken);
        var enroll = (await (await admin.PostAsJsonAsync("/api/v1/tokens", new { role = "enroll" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        async Task<Crossfade.Contracts.V1.HostStatusView?> HostAsync() =>
            (await admin.GetFromJsonAsync<List<Crossfade.Contracts.V1.HostStatusView>>("/api/v1/hosts"))!.SingleOrDefault(h => h.Name == "pin-host-1");

        using (var stop = new CancellationTokenSource())
        {
            var running = Task.Run(() => Agent(server.Url, enroll).RunAsync(stop.Token));
            // Enrolled is online at once; its version comes with its first poll.
            await Eventually.TrueAsync(async () => await HostAsync() is { Online: true, AgentVersion: not null });
            var host = (await HostAsync())!;
            (host.AgentVersion, host.AgentOutdated).ShouldBe((ProductVersion.Current.Full, false));
            await stop.CancelAsync();
            await running;
        }
        var kept = Path.Combine(_root, ServerPin.FileName);
        (await File.ReadAllTextAsync(kept)).Trim().ShouldBe(pin);
        File.GetUnixFileMode(kept).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // Someone else answers on the server's address, with a certificate of its own.
        await server.StopAsync();
        SelfSigned.Write(cert, key, "https://127.0.0.1:1", DateTimeOffset.UtcNow);
        await server.StartAsync(cert, key);
        var impostor = server.Services.GetRequiredService<ServerCertificates>().Pin;
        impostor.ShouldNotBe(pin);

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => Agent(server.Url, null).RunAsync(limit.Token));

        refused.Message.ShouldContain($"presented a certificate over the key {impostor}, but this link pinned {pin}");
        refused.Message.ShouldContain(ServerPin.FileName);
        limit.IsCancellationRequested.ShouldBeFalse();
    }
}
