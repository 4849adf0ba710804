using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Crossfade.Tests.Server.Api;

/// <summary>
/// A host taken off the server: its agent's token and the enrollment tokens made for it are revoked with it,
/// other hosts keep theirs, only an admin may do it, and never while a deploy has a step on it that has not ended.
/// </summary>
public sealed class HostRemovalApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private async Task<string> TokenAsync(string role, string? name = null) =>
        (await (await server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role, name })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

    /// <summary>Enrolls <paramref name="host"/> and returns its agent's token.</summary>
    private async Task<string> EnrollAsync(string host)
    {
        var enrolled = await server.Anonymous.PostAsJsonAsync("/api/agent/v1/enroll", new { name = host, roles = new[] { "web" }, enrollmentToken = await TokenAsync("enroll", host) });
        enrolled.EnsureSuccessStatusCode();
        return (await enrolled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("agentToken").GetString()!;
    }

    private async Task<HttpStatusCode> PollAsync(string agentToken)
    {
        using var agent = server.ClientWith($"Bearer {agentToken}");
        return (await agent.PostAsJsonAsync("/api/agent/v1/poll?wait=0", new AgentHeartbeat("1.0.0", new Dictionary<string, string>()))).StatusCode;
    }

    [Fact]
    public async Task Remove_RevokesItsAgentAndEnrollmentTokens_LeavesOtherHosts_AndAgainChangesNothing()
    {
        var gone = await EnrollAsync("rm-web-1");
        var kept = await EnrollAsync("rm-web-2");
        var unused = await TokenAsync("enroll", "rm-web-1");
        (await PollAsync(gone)).ShouldBe(HttpStatusCode.NoContent);

        var removed = await (await server.Admin.DeleteAsync("/api/v1/hosts/rm-web-1")).Content.ReadFromJsonAsync<HostRemovedView>();

        removed.ShouldBe(new HostRemovedView("rm-web-1", true, 2));
        (await PollAsync(gone)).ShouldBe(HttpStatusCode.Unauthorized);
        (await PollAsync(kept)).ShouldBe(HttpStatusCode.NoContent);
        var hosts = (await server.Admin.GetFromJsonAsync<List<HostStatusView>>("/api/v1/hosts"))!.Select(h => h.Name).ToList();
        hosts.ShouldContain("rm-web-2");
        hosts.ShouldNotContain("rm-web-1");
        var reuse = await server.Anonymous.PostAsJsonAsync("/api/agent/v1/enroll", new { name = "rm-web-1", roles = new[] { "web" }, enrollmentToken = unused });
        reuse.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the enrollment token made for the host went with it");
        var again = await (await server.Admin.DeleteAsync("/api/v1/hosts/rm-web-1")).Content.ReadFromJsonAsync<HostRemovedView>();
        again.ShouldBe(new HostRemovedView("rm-web-1", false, 0));
    }

    [Fact]
    public async Task Remove_NeedsAnAdmin_AndAHostName()
    {
        await EnrollAsync("rm-web-3");
        using var deployer = server.ClientWith($"Bearer {await TokenAsync("deployer")}");

        (await deployer.DeleteAsync("/api/v1/hosts/rm-web-3")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var bad = await server.Admin.DeleteAsync("/api/v1/hosts/..%2Fetc");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("is not a host name");
        (await server.Admin.GetFromJsonAsync<List<HostStatusView>>("/api/v1/hosts"))!.Select(h => h.Name).ShouldContain("rm-web-3");
        // Unnamed enrollment tokens are labelled 'enroll': no host may take that name (its removal would revoke them all).
        var reserved = await server.Anonymous.PostAsJsonAsync("/api/agent/v1/enroll", new { name = "enroll", roles = new[] { "web" }, enrollmentToken = await TokenAsync("enroll") });
        reserved.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await reserved.Content.ReadAsStringAsync()).ShouldContain("'enroll' is reserved");
    }

    [Fact]
    public async Task Remove_IsRefusedWhileAnUnfinishedDeployWorksOnTheHost()
    {
        var token = await EnrollAsync("rm-web-4");
        var store = server.App.Services.GetRequiredService<IStore>();
        // Held by another server process with a live lease: this one leaves it alone while the test runs.
        var now = DateTimeOffset.UtcNow;
        var (deploy, _) = await store.CreateDeployAsync(new DeployRecord(0, "rm-shop", "prod", DeployKind.Deploy, "1.0.0", null, DeployState.Queued, "ann", "cli", now, null, null), null, queue: true, default);
        (await store.ClaimDeployAsync(deploy.Id, "elsewhere:1", now, TimeSpan.FromHours(1), default)).ShouldBeTrue();
        await store.AddStepAsync(deploy.Id, "rm-web-4", StepKind.Converge, "{}", default);

        var refused = await server.Admin.DeleteAsync("/api/v1/hosts/rm-web-4");

        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).ShouldContain($"deploy #{deploy.Id} has not finished and works on 'rm-web-4'");
        (await PollAsync(token)).ShouldNotBe(HttpStatusCode.Unauthorized, "nothing was revoked");
    }
}
