using System.Net.Http.Json;
using System.Text.Json;
using Crossfade.Agent;
using Crossfade.Agent.Hosting;
using Crossfade.Tests.Server.Api;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crossfade.Tests.Agent.Hosting;

/// <summary>An agent whose token the server no longer knows stops with what to do, against a real server.</summary>
public sealed class AgentTokenTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cf-agent-token-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<string> EnrollAsync(string host)
    {
        var enroll = await (await server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role = "enroll" })).Content.ReadFromJsonAsync<JsonElement>();
        var agent = AgentHost.Build(new AgentOptions
        {
            Server = server.Url, Name = host, Root = _root, Token = enroll.GetProperty("token").GetString(), ShipLogs = false, SelfCommand = ["/bin/false"],
            PollWait = TimeSpan.FromSeconds(1),
        }, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await agent.RunAsync(stop.Token);
        return (await File.ReadAllTextAsync(Path.Combine(_root, "agent.token"))).Trim();
    }

    [Fact]
    public async Task RevokedAgentToken_StopsTheAgent_SayingHowToEnrollAgain()
    {
        await EnrollAsync("token-host-1");
        var id = (await server.Admin.GetFromJsonAsync<List<JsonElement>>("/api/v1/tokens"))!
            .Single(t => t.GetProperty("name").GetString() == "token-host-1").GetProperty("id").GetString();
        (await server.Admin.DeleteAsync($"/api/v1/tokens/{id}")).EnsureSuccessStatusCode();
        var agent = AgentHost.Build(new AgentOptions { Server = server.Url, Name = "token-host-1", Root = _root, ShipLogs = false, PollWait = TimeSpan.FromSeconds(1), SelfCommand = ["/bin/false"] },
            NullLoggerFactory.Instance);

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => agent.RunAsync(limit.Token));

        refused.Message.ShouldContain("refused this agent's token");
        refused.Message.ShouldContain("remove agent.token");
        limit.IsCancellationRequested.ShouldBeFalse();
    }

    [Fact]
    public async Task ATokenMadeForANamedHost_EnrollsThatHostOnly_AndIsNotUsedUpByAnother()
    {
        var made = await (await server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role = "enroll", name = "token-web-7" })).Content.ReadFromJsonAsync<JsonElement>();
        var token = made.GetProperty("token").GetString()!;

        var other = await server.Anonymous.PostAsJsonAsync("/api/agent/v1/enroll", new { name = "token-web-8", roles = new[] { "web" }, enrollmentToken = token });
        var own = await server.Anonymous.PostAsJsonAsync("/api/agent/v1/enroll", new { name = "token-web-7", roles = new[] { "web" }, enrollmentToken = token });

        other.StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await other.Content.ReadAsStringAsync()).ShouldContain("made for host 'token-web-7', not 'token-web-8'");
        own.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
    }
}
