using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crossfade.Agent;
using Crossfade.Agent.Hosting;
using Crossfade.Contracts.V1;
using Crossfade.Server.Auth;
using Crossfade.Server.Releases;
using Crossfade.Server.Storage;
using Crossfade.Tests.Server.Deploys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crossfade.Tests.Server.Hooks;

/// <summary>
/// A spec's <c>build.runs_on: builder</c> builds on a host with the builder role: a real agent takes the
/// build, runs it against a real git repository, streams its output and sends the archive the server stores;
/// a host speaks only for the builds handed to it, and a builder that goes silent fails its build.
/// </summary>
public sealed class BuilderHostTests : IAsyncLifetime
{
    private readonly GitRepo _repo = new();
    private readonly string _agentRoot = Directory.CreateTempSubdirectory("cf-builder-").FullName;
    private readonly CancellationTokenSource _stopAgent = new();
    private DeployRunHarness _harness = null!;
    private HttpClient _api = null!;
    private Task? _agent;

    public async Task InitializeAsync()
    {
        var spec = $"build:\n  repository: {_repo.Path}\n  command: sh build.sh\n  output: out\n  timeout_seconds: 120\n  runs_on: builder\n";
        _harness = await DeployRunHarness.StartAsync(spec);
        await _harness.HostsOnlineUntilAsync(_harness.Time.GetUtcNow().AddDays(2));
        _api = _harness.Admin();
    }

    public async Task DisposeAsync()
    {
        await _stopAgent.CancelAsync();
        if (_agent is not null)
            await _agent.ContinueWith(_ => { }, TaskScheduler.Default);
        _api.Dispose();
        await _harness.DisposeAsync();
        _repo.Dispose();
        Directory.Delete(_agentRoot, recursive: true);
    }

    /// <summary>Starts a real agent with the builder role, enrolled with a one-time token, and waits until the server sees it.</summary>
    private async Task StartBuilderAgentAsync(string name)
    {
        var enroll = await (await _api.PostAsJsonAsync("/api/v1/tokens", new { role = "enroll" })).Content.ReadFromJsonAsync<JsonElement>();
        var agent = AgentHost.Build(new AgentOptions
        {
            Server = _harness.Url, Name = name, Roles = ["builder"], Root = _agentRoot, Token = enroll.GetProperty("token").GetString(),
            ShipLogs = false, SelfCommand = ["/bin/false"], PollWait = TimeSpan.FromSeconds(1),
        }, NullLoggerFactory.Instance);
        _agent = Task.Run(() => agent.RunAsync(_stopAgent.Token));
        await Eventually.TrueAsync(async () => (await _harness.Store.ListHostsAsync(default)).Any(h => h.Name == name && h.LastSeen is not null));
    }

    private async Task<long> StartBuildAsync(string gitRef, string? environment = null)
    {
        var response = await _api.PostAsJsonAsync("/api/v1/apps/shop/builds", new StartBuildRequest(gitRef, environment));
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<BuildView>())!.Id;
    }

    private async Task<BuildRecord> FinishedAsync(long id, Action? meanwhile = null)
    {
        BuildRecord? build = null;
        await Eventually.TrueAsync(async () =>
        {
            meanwhile?.Invoke();
            build = await _harness.Store.GetBuildAsync(id, default);
            return build is not null && BuildStates.IsFinished(build.State);
        }, TimeSpan.FromSeconds(60));
        return build!;
    }

    private async Task<List<string>> LogAsync(long id) => (await _harness.Store.ReadBuildLogAsync(id, 0, default)).Select(l => l.Line).ToList();

    [Fact]
    public async Task ABuildOfABuilderApp_RunsOnTheBuilderHost_AndDeploysTheArchiveItSent()
    {
        var sha = _repo.Commit("listings on the builder", ("build.sh", "mkdir -p out && cp app.txt out/ && echo \"built $CROSSFADE_BUILD_VERSION on $(hostname)\"\n"), ("app.txt", "gear"));
        await StartBuilderAgentAsync("builder-1");

        var build = await FinishedAsync(await StartBuildAsync("main", "prod"));

        (build.State, build.Host, build.Sha, build.Message).ShouldBe((BuildStates.Succeeded, "builder-1", sha, "listings on the builder"), build.Reason);
        var log = await LogAsync(build.Id);
        log.ShouldContain("handed to builder host builder-1");
        var printed = $"built main-{sha[..7]} on ";
        log.ShouldContain(l => l.StartsWith(printed, StringComparison.Ordinal));
        var release = (await _harness.Store.GetReleaseAsync("shop", build.Version!, default))!;
        release.Commit.ShouldBe(sha);
        var artifacts = _harness.Services.GetRequiredService<ArtifactStore>();
        EntriesOf(artifacts.PathOf(release.Sha256)).ShouldContain("app.txt");
        var deploy = (await _harness.Store.GetDeployAsync(build.DeployId!.Value, default))!;
        (deploy.Version, deploy.Environment).ShouldBe((build.Version, "prod"));
        // The builder's workspace goes with the build.
        Directory.Exists(Path.Combine(_agentRoot, "builds", build.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))).ShouldBeFalse();
        (await _api.GetFromJsonAsync<BuildView>($"/api/v1/builds/{build.Id}"))!.Host.ShouldBe("builder-1");
    }

    [Fact]
    public async Task AFailingCommandOnTheBuilder_FailsTheBuild_WithItsOutput_AndReleasesNothing()
    {
        _repo.Commit("broken", ("build.sh", "echo 'error CS1002: ; expected'\nexit 3\n"));
        await StartBuilderAgentAsync("builder-2");

        var build = await FinishedAsync(await StartBuildAsync("main", "prod"));

        (build.State, build.Host, build.Reason).ShouldBe((BuildStates.Failed, "builder-2", "the build command exited with 3"));
        (await LogAsync(build.Id)).ShouldContain("error CS1002: ; expected");
        (await _harness.Store.ListReleasesAsync("shop", default)).ShouldNotContain(r => r.Version == build.Version);
        build.DeployId.ShouldBeNull();
    }

    [Fact]
    public async Task WithNoBuilderOnline_TheBuildFails_SayingWhatToStart()
    {
        _repo.Commit("nobody to build it", ("build.sh", "mkdir out\n"));

        var build = await FinishedAsync(await StartBuildAsync("main"));

        build.State.ShouldBe(BuildStates.Failed);
        build.Reason!.ShouldContain("no host with the role 'builder' is online");
        build.Reason!.ShouldContain("--roles builder");
    }

    [Fact]
    public async Task OnlyTheBuilderHandedTheBuild_MaySpeakForIt_AndItsArchiveIsCheckedAsAnUpload()
    {
        _repo.Commit("hostile builder", ("build.sh", "mkdir out\n"));
        using var web = await HostClientAsync("web-9", ["web"]);
        using var builder = await HostClientAsync("builder-m", ["builder"]);
        using var other = await HostClientAsync("builder-n", ["builder"]);
        // Both builders are online: the build goes to one of them (by name on a tie), never to a web host.
        (await web.PostAsync("/api/agent/v1/builds/take?wait=0", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var id = await StartBuildAsync("main");
        var work = await TakeAsync(builder);
        work.BuildId.ShouldBe(id);
        (work.Repository, work.Command, work.Output).ShouldBe((_repo.Path, "sh build.sh", "out"));

        var foreignLog = await other.PostAsJsonAsync($"/api/agent/v1/builds/{id}/logs", new BuildLogBatch(["I built it"]));
        var foreignResult = await other.PostAsJsonAsync($"/api/agent/v1/builds/{id}/result", new BuildResult(true, null, false, new string('b', 40), "forged", new string('c', 64)));
        var badSha = await builder.PostAsJsonAsync($"/api/agent/v1/builds/{id}/result", new BuildResult(false, "x", false, "../../etc", null, null));
        var hostile = await builder.PutAsync($"/api/agent/v1/builds/{id}/archive", Gzip("../../etc/cron.d/evil"));

        (foreignLog.StatusCode, foreignResult.StatusCode, badSha.StatusCode, hostile.StatusCode)
            .ShouldBe((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.UnprocessableEntity));
        (await hostile.Content.ReadAsStringAsync()).ShouldContain("../../etc/cron.d/evil");
        // Claiming a release it never sent fails the build; nothing is released or deployed.
        var claim = await builder.PostAsJsonAsync($"/api/agent/v1/builds/{id}/result", new BuildResult(true, null, false, new string('d', 40), "made", new string('e', 64)));
        claim.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var build = await FinishedAsync(id);
        (build.State, build.Host).ShouldBe((BuildStates.Failed, "builder-m"));
        build.Reason.ShouldBe("builder host builder-m reported a release it did not send");
        (await LogAsync(id)).ShouldContain(l => l.StartsWith("the server refused the release", StringComparison.Ordinal));
        (await LogAsync(id)).ShouldNotContain("I built it");
        (await _harness.Store.ListReleasesAsync("shop", default)).Select(r => r.Version).ShouldBe(["1.0.0", "2.0.0"], ignoreOrder: true);
        // The build is over: its builder is refused from now on too.
        (await builder.PostAsJsonAsync($"/api/agent/v1/builds/{id}/logs", new BuildLogBatch(["late"]))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ABuilderThatGoesSilent_FailsItsBuild_NamingTheHost()
    {
        _repo.Commit("a builder that dies", ("build.sh", "mkdir out\n"));
        using var builder = await HostClientAsync("builder-s", ["builder"]);
        var id = await StartBuildAsync("main");
        (await TakeAsync(builder)).BuildId.ShouldBe(id);

        // Neither a poll nor a word from the builder while the server's clock runs on.
        var build = await FinishedAsync(id, meanwhile: () => _harness.Time.Advance(TimeSpan.FromSeconds(5)));

        (build.State, build.Host).ShouldBe((BuildStates.Failed, "builder-s"));
        build.Reason!.ShouldStartWith("builder host builder-s went silent while it built");
        (await builder.PostAsJsonAsync($"/api/agent/v1/builds/{id}/result", new BuildResult(false, "late", false, null, null, null))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    /// <summary>A host's agent link, made directly: a host enrolled with the roles and seen now, and a client with its agent token.</summary>
    private async Task<HttpClient> HostClientAsync(string name, IReadOnlyList<string> roles)
    {
        var secret = TokenSecrets.New("cfh");
        await _harness.Store.AddTokenAsync(new TokenRecord(TokenSecrets.Hash(secret), name, Roles.Agent, _harness.Time.GetUtcNow()), default);
        await _harness.Store.UpsertHostAsync(name, roles, _harness.Time.GetUtcNow(), default);
        await _harness.Store.TouchHostAsync(name, "{}", _harness.Time.GetUtcNow(), default);
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(_harness.Url) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", secret);
        return client;
    }

    private static async Task<BuildWork> TakeAsync(HttpClient builder)
    {
        BuildWork? work = null;
        await Eventually.TrueAsync(async () =>
        {
            var response = await builder.PostAsync("/api/agent/v1/builds/take?wait=0", null);
            response.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.NoContent);
            work = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<BuildWork>() : null;
            return work is not null;
        });
        return work!;
    }

    private static ByteArrayContent Gzip(string name)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream("x"u8.ToArray()) });
        return new ByteArrayContent(buffer.ToArray());
    }

    private static List<string> EntriesOf(string archive)
    {
        using var file = File.OpenRead(archive);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var names = new List<string>();
        while (tar.GetNextEntry() is { } entry)
            names.Add(entry.Name.TrimStart('.', '/'));
        return names;
    }
}
