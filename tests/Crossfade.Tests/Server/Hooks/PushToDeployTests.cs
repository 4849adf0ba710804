using System.Net;
using System.Net.Http.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Freezes;
using Crossfade.Server.Storage;
using Crossfade.Tests.Server.Deploys;

namespace Crossfade.Tests.Server.Hooks;

/// <summary>A signed push builds the app from a real git repository and deploys it where the spec maps the ref; everything else starts nothing.</summary>
public sealed class PushToDeployTests : IAsyncLifetime
{
    private readonly GitRepo _repo = new();
    private DeployRunHarness _harness = null!;
    private HttpClient _api = null!;
    private HttpClient _forge = null!;
    private string _secret = "";

    public async Task InitializeAsync()
    {
        var spec = $"build:\n  repository: {_repo.Path}\n  command: sh build.sh\n  output: out\n  timeout_seconds: 120\n"
            + "triggers:\n  branches:\n    main: prod\n  tags:\n    \"v*\": prod\n";
        _harness = await DeployRunHarness.StartAsync(spec);
        await _harness.HostsOnlineUntilAsync(_harness.Time.GetUtcNow().AddDays(2));
        _api = _harness.Admin();
        // Webhooks come with no token: only their signature.
        _forge = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(_harness.Url) };
        var made = await _api.PostAsync("/api/v1/apps/shop/hook-secret", null);
        made.StatusCode.ShouldBe(HttpStatusCode.OK);
        _secret = (await made.Content.ReadFromJsonAsync<HookSecretView>())!.Secret;
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        _forge.Dispose();
        await _harness.DisposeAsync();
        _repo.Dispose();
    }

    private string CommitApp(string message, string build = "mkdir -p out && cp app.txt out/ && echo \"built $CROSSFADE_BUILD_VERSION\"") =>
        _repo.Commit(message, ("build.sh", build + "\n"), ("app.txt", message));

    private async Task<BuildRecord> WaitForBuildAsync(long id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var build = (await _harness.Store.GetBuildAsync(id, default))!;
            if (BuildStates.IsFinished(build.State))
                return build;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"build #{id} never ended: {build.State}");
            await Task.Delay(20);
        }
    }

    private async Task<long> AcceptedBuildAsync(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("build").GetInt64();
    }

    [Fact]
    public async Task ASignedPushToMain_BuildsFromSource_AndDeploysTheRelease()
    {
        var sha = CommitApp("first listing page");

        var started = DateTime.UtcNow;
        var id = await AcceptedBuildAsync(await _forge.SendAsync(HookRequests.GitHubPush("shop", _secret, "refs/heads/main", sha, "delivery-1")));
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(1));
        var build = await WaitForBuildAsync(id);

        (build.State, build.Sha, build.Version, build.Message).ShouldBe((BuildStates.Succeeded, sha, $"main-{sha[..7]}", "first listing page"), build.Reason);
        var release = (await _harness.Store.GetReleaseAsync("shop", build.Version!, default))!;
        (release.Commit, release.Message, release.CreatedBy).ShouldBe((sha, "first listing page", "github:ana"));
        var log = await _harness.Store.ReadBuildLogAsync(id, 0, default);
        var expected = $"built main-{sha[..7]}";
        log.Select(l => l.Line).ShouldContain(expected);
        var deploy = (await _harness.Store.GetDeployAsync(build.DeployId!.Value, default))!;
        (deploy.Version, deploy.Environment, deploy.Trigger).ShouldBe((build.Version, "prod", "webhook"));
        await _harness.PlayHostsAsync(deploy.Id, DeployState.Succeeded);
    }

    [Fact]
    public async Task ForgedReplayedOversizedAndUnmappedDeliveries_StartNothing()
    {
        var sha = CommitApp("only one build");
        _repo.Git("branch", "feature/x");

        var forged = await _forge.SendAsync(HookRequests.GitHubPush("shop", _secret, "refs/heads/main", sha, "d-forged", signatureOverride: "sha256=" + new string('a', 64)));
        var wrongSecret = await _forge.SendAsync(HookRequests.GitHubPush("shop", "whsec_not-the-secret", "refs/heads/main", sha, "d-wrong"));
        var unmapped = await _forge.SendAsync(HookRequests.GitHubPush("shop", _secret, "refs/heads/feature/x", sha, "d-unmapped"));
        using var big = HookRequests.GitHub("shop", _secret, "push", new byte[25 * 1024 * 1024 + 1], "d-big");
        // As a careful sender does: the body goes only once the server has not refused it by its length.
        big.Headers.ExpectContinue = true;
        var oversized = await _forge.SendAsync(big);
        var otherEvent = await _forge.SendAsync(HookRequests.GitHub("shop", _secret, "issues", "{}"u8.ToArray(), "d-issue"));
        var ping = await _forge.SendAsync(HookRequests.GitHub("shop", _secret, "ping", """{"zen":"Keep it logically awesome."}"""u8.ToArray(), "d-ping"));
        var unknownApp = await _forge.SendAsync(HookRequests.GitHubPush("nope", _secret, "refs/heads/main", sha, "d-nope"));
        var first = await AcceptedBuildAsync(await _forge.SendAsync(HookRequests.GitHubPush("shop", _secret, "refs/heads/main", sha, "d-real")));
        var replay = await _forge.SendAsync(HookRequests.GitHubPush("shop", _secret, "refs/heads/main", sha, "d-real"));

        (forged.StatusCode, wrongSecret.StatusCode, unmapped.StatusCode, oversized.StatusCode, otherEvent.StatusCode, ping.StatusCode, unknownApp.StatusCode, replay.StatusCode)
            .ShouldBe((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.BadRequest,
                HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.OK));
        (await unmapped.Content.ReadAsStringAsync()).ShouldContain("ignored");
        (await replay.Content.ReadAsStringAsync()).ShouldContain("duplicate");
        (await forged.Content.ReadAsStringAsync()).ShouldContain("X-Hub-Signature-256");
        var build = await WaitForBuildAsync(first);
        (await _harness.Store.ListBuildsAsync("shop", 10, default)).Single().Id.ShouldBe(first);
        await _harness.PlayHostsAsync(build.DeployId!.Value, DeployState.Succeeded);
        var audit = (await _api.GetFromJsonAsync<List<AuditRecordView>>("/api/v1/audit?limit=100"))!.Where(r => r.Path.StartsWith("/hooks/", StringComparison.Ordinal)).ToList();
        audit.Count.ShouldBe(9);
        audit.Count(r => r.Outcome == "refused").ShouldBe(5);
        audit.ShouldContain(r => r.Status == 401 && r.Reason.Contains("does not match", StringComparison.Ordinal));
        audit.ShouldContain(r => r.Actor == "github:ana" && r.Parameters["delivery"] == "d-real" && r.Status == 202);
    }

    [Fact]
    public async Task APushDuringAFreeze_IsBuilt_AndDeploysWhenTheFreezeEnds()
    {
        var now = _harness.Time.GetUtcNow();
        await _harness.Store.AddFreezeAsync(new Freeze(0, "shop", "prod", now.AddMinutes(-5), now.AddHours(1), null, null, "peak sale", "ops", now), default);
        var sha = CommitApp("during the sale");

        var build = await WaitForBuildAsync(await AcceptedBuildAsync(await _forge.SendAsync(HookRequests.GitHubPush("shop", _secret, "refs/heads/main", sha, "d-frozen"))));

        build.State.ShouldBe(BuildStates.Succeeded, build.Reason);
        build.DeployId.ShouldBeNull();
        build.Reason!.ShouldContain("peak sale");
        (await _harness.Store.ListDeploysAsync("shop", 10, default)).ShouldBeEmpty();
        var waiting = (await _harness.Store.ListSchedulesAsync("shop", openOnly: true, default)).Single();
        (waiting.State, waiting.Version, waiting.RunAt).ShouldBe((ScheduleStates.Waiting, build.Version, now.AddHours(1)));

        _harness.Time.Advance(TimeSpan.FromHours(1));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        ScheduleRecord started;
        while ((started = (await _harness.Store.ListSchedulesAsync("shop", openOnly: false, default)).Single()).DeployId is null && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        started.State.ShouldBe(ScheduleStates.Started, started.Reason);
        await _harness.PlayHostsAsync(started.DeployId!.Value, DeployState.Succeeded);
    }

    [Fact]
    public async Task AFailingBuild_IsARecordWithItsOutput_AndDeploysNothing()
    {
        var sha = CommitApp("broken", build: "echo compiling listings.cs\necho 'error CS1002: ; expected' >&2\nexit 3");

        var build = await WaitForBuildAsync(await AcceptedBuildAsync(await _forge.SendAsync(HookRequests.GitHubPush("shop", _secret, "refs/heads/main", sha, "d-broken"))));

        (build.State, build.Reason).ShouldBe((BuildStates.Failed, "the build command exited with 3"));
        var log = (await _harness.Store.ReadBuildLogAsync(build.Id, 0, default)).Select(l => l.Line).ToList();
        log.ShouldContain("compiling listings.cs");
        log.ShouldContain("error CS1002: ; expected");
        (await _harness.Store.GetReleaseAsync("shop", $"main-{sha[..7]}", default)).ShouldBeNull();
        (await _harness.Store.ListDeploysAsync("shop", 10, default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ATag_IsReleasedUnderItsName_AndGitLabAndAnyCiAreTakenToo()
    {
        var sha = CommitApp("tagged");
        _repo.Tag("v2.1.0");

        var gitlab = await WaitForBuildAsync(await AcceptedBuildAsync(await _forge.SendAsync(HookRequests.GitLabPush("shop", _secret, "refs/tags/v2.1.0", sha, "uuid-1"))));
        (gitlab.State, gitlab.Version).ShouldBe((BuildStates.Succeeded, "v2.1.0"), gitlab.Reason);
        await _harness.PlayHostsAsync(gitlab.DeployId!.Value, DeployState.Succeeded);
        (await _forge.SendAsync(HookRequests.GitLabPush("shop", "wrong-token", "refs/tags/v2.1.0", sha, "uuid-2"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var now = _harness.Time.GetUtcNow();
        var generic = await _forge.SendAsync(HookRequests.Generic("shop", _secret, new { version = "1.0.0", environment = "prod" }, "msg-1", now));
        generic.StatusCode.ShouldBe(HttpStatusCode.Accepted, await generic.Content.ReadAsStringAsync());
        var deployId = (await generic.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("deploy").GetInt64();
        await _harness.PlayHostsAsync(deployId, DeployState.Succeeded);
        var stale = await _forge.SendAsync(HookRequests.Generic("shop", _secret, new { version = "1.0.0", environment = "prod" }, "msg-2", now.AddMinutes(-10)));
        stale.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await stale.Content.ReadAsStringAsync()).ShouldContain("replayed");
    }

    [Fact]
    public async Task AnOldPushReplayed_IsSuperseded_NotDeployed()
    {
        var old = CommitApp("old listing page");
        CommitApp("new listing page");

        var build = await WaitForBuildAsync(await AcceptedBuildAsync(await _forge.SendAsync(HookRequests.GitHubPush("shop", _secret, "refs/heads/main", old, "d-replayed"))));

        (build.State, build.DeployId).ShouldBe((BuildStates.Superseded, null));
        build.Reason!.ShouldContain("has moved on");
        (await _harness.Store.ListDeploysAsync("shop", 10, default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task AnyCisDeployDuringAFreeze_WaitsAsASchedule()
    {
        var now = _harness.Time.GetUtcNow();
        await _harness.Store.AddFreezeAsync(new Freeze(0, "shop", "prod", now.AddMinutes(-1), now.AddHours(1), null, null, "inventory count", "ops", now), default);

        var response = await _forge.SendAsync(HookRequests.Generic("shop", _secret, new { version = "2.0.0", environment = "prod" }, "msg-frozen", now));

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadAsStringAsync()).ShouldContain("waiting");
        var waiting = (await _harness.Store.ListSchedulesAsync("shop", openOnly: true, default)).Single();
        (waiting.State, waiting.Version, waiting.RunAt).ShouldBe((ScheduleStates.Waiting, "2.0.0", now.AddHours(1)));
        (await _harness.Store.ListDeploysAsync("shop", 10, default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ADeployer_CannotChangeWhatABuildRuns_AnAdminCan()
    {
        var created = await (await _api.PostAsJsonAsync("/api/v1/tokens", new { role = "deployer", name = "spec-dana" })).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        using var deployer = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(_harness.Url) };
        deployer.DefaultRequestHeaders.Authorization = new("Bearer", created.GetProperty("token").GetString());
        var current = (await _harness.Store.GetAppAsync("shop", default))!.SpecYaml;

        var sameAgain = await deployer.PostAsJsonAsync("/api/v1/apps", new { spec = current });
        var changed = await deployer.PostAsJsonAsync("/api/v1/apps", new { spec = current.Replace("command: sh build.sh", "command: cat ../../admin.token", StringComparison.Ordinal) });

        sameAgain.StatusCode.ShouldBe(HttpStatusCode.OK);
        changed.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await changed.Content.ReadAsStringAsync()).ShouldContain("needs the admin role");
        (await _harness.Store.GetAppAsync("shop", default))!.SpecYaml.ShouldContain("command: sh build.sh");
    }

    [Fact]
    public async Task WhenEveryReaderIsBusy_ADeliveryIsAskedToComeBack()
    {
        var readers = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Crossfade.Server.Hooks.HookReaders>(_harness.Services);
        var held = Enumerable.Range(0, Crossfade.Server.Hooks.HookReaders.Max).Select(_ => readers.Enter()).ToList();
        var sha = CommitApp("busy");

        var busy = await _forge.SendAsync(HookRequests.GitHubPush("shop", _secret, "refs/heads/main", sha, "d-busy"));
        held.ForEach(slot => slot!.Dispose());
        var later = await _forge.SendAsync(HookRequests.GitHubPush("shop", _secret, "refs/heads/main", sha, "d-busy"));

        busy.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        busy.Headers.RetryAfter.ShouldNotBeNull();
        var build = await WaitForBuildAsync(await AcceptedBuildAsync(later));
        await _harness.PlayHostsAsync(build.DeployId!.Value, DeployState.Succeeded);
    }
}
