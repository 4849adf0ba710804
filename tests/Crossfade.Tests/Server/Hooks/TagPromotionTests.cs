using System.Net;
using System.Net.Http.Json;
using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;
using Crossfade.Tests.Server.Deploys;

namespace Crossfade.Tests.Server.Hooks;

/// <summary>main deploys to staging; a tag deploys to production only once its commit has succeeded in staging.</summary>
public sealed class TagPromotionTests : IAsyncLifetime
{
    private readonly GitRepo _repo = new();
    private DeployRunHarness _harness = null!;
    private HttpClient _forge = null!;
    private string _secret = "";

    public async Task InitializeAsync()
    {
        var spec = "    requires: [staging]\n  staging:\n    hosts:\n      web-1: [web]\n      web-2: [web]\n"
            + $"build:\n  repository: {_repo.Path}\n  command: mkdir -p out && cp app.txt out/\n  output: out\n"
            + "triggers:\n  branches:\n    main: staging\n  tags:\n    \"v*\": prod\n";
        _harness = await DeployRunHarness.StartAsync(spec);
        await _harness.HostsOnlineUntilAsync(_harness.Time.GetUtcNow().AddDays(2));
        using var admin = _harness.Admin();
        _secret = (await (await admin.PostAsync("/api/v1/apps/shop/hook-secret", null)).Content.ReadFromJsonAsync<HookSecretView>())!.Secret;
        _forge = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(_harness.Url) };
    }

    public async Task DisposeAsync()
    {
        _forge.Dispose();
        await _harness.DisposeAsync();
        _repo.Dispose();
    }

    private async Task<BuildRecord> PushAsync(string gitRef, string sha, string delivery)
    {
        var response = await _forge.SendAsync(HookRequests.GitHubPush("shop", _secret, gitRef, sha, delivery));
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("build").GetInt64();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var build = (await _harness.Store.GetBuildAsync(id, default))!;
            if (BuildStates.IsFinished(build.State))
                return build;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"build #{id} never ended");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task ATagOfACommitStagingHasNotPassed_IsRefusedProduction_OneItPassed_GoesOut()
    {
        var tested = _repo.Commit("tested on staging", ("app.txt", "v1"));
        var staging = await PushAsync("refs/heads/main", tested, "d-main");
        (staging.Environment, staging.DeployId).ShouldBe(("staging", staging.DeployId));
        await _harness.PlayHostsAsync(staging.DeployId!.Value, DeployState.Succeeded);

        var untested = _repo.Commit("never on staging", ("app.txt", "v2"));
        _repo.Tag("v2.0.1");
        var refused = await PushAsync("refs/tags/v2.0.1", untested, "d-untested");
        refused.State.ShouldBe(BuildStates.Succeeded);
        refused.DeployId.ShouldBeNull();
        refused.Reason!.ShouldContain("requires a release to have succeeded in 'staging' first");

        _repo.Git("tag", "v1.0.1", tested);
        var production = await PushAsync("refs/tags/v1.0.1", tested, "d-tested");
        (production.Version, production.Environment).ShouldBe(("v1.0.1", "prod"));
        var deploy = (await _harness.Store.GetDeployAsync(production.DeployId!.Value, default))!;
        (deploy.Environment, deploy.Version).ShouldBe(("prod", "v1.0.1"));
        await _harness.PlayHostsAsync(deploy.Id, DeployState.Succeeded);
    }
}
