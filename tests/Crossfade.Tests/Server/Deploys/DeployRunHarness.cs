using Crossfade.Agent.Instances;
using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Server;
using Crossfade.Server.Agents;
using Crossfade.Server.Deploys;
using Crossfade.Server.Hosting;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Crossfade.Tests.Server.Deploys;

/// <summary>
/// A real server (real SQLite store, its own data folder) on a fake clock, with no agents: the test plays
/// the hosts by taking their queued steps from the store and answering them, as an agent's poll would.
/// </summary>
internal sealed class DeployRunHarness : IAsyncDisposable
{
    public const string App = "shop";
    private readonly string _dataDir = Directory.CreateTempSubdirectory("cf-run-").FullName;
    private WebApplication _server = null!;

    private DeployRunHarness(DateTimeOffset now) => Time = new FakeTimeProvider(now);

    public FakeTimeProvider Time { get; }
    public IStore Store { get; private set; } = null!;
    public IServiceProvider Services => _server.Services;
    public DeployRunner Runner { get; private set; } = null!;
    private WorkSignals Signals { get; set; } = null!;

    public static async Task<DeployRunHarness> StartAsync(string specTail = "", string hosts = "      web-1: [web]\n      web-2: [web]\n")
    {
        var harness = new DeployRunHarness(new DateTimeOffset(2026, 12, 3, 4, 0, 0, TimeSpan.Zero));
        await harness.BootAsync();
        var spec = $"app: {App}\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n{hosts}{specTail}";
        await harness.Store.UpsertAppAsync(new AppRecord(App, spec, harness.Time.GetUtcNow()), default);
        foreach (var version in new[] { "1.0.0", "2.0.0" })
            await harness.Store.AddReleaseAsync(new ReleaseRecord(App, version, new string('a', 64), 1, null, null, "ann", harness.Time.GetUtcNow()), default);
        await harness.Store.SetLiveVersionAsync(App, "prod", "1.0.0", 0, default);
        return harness;
    }

    /// <summary>
    /// What a server killed now would leave: a copy of the store as it stands (taken by SQLite itself, so
    /// consistent) and of the data folder, with a new server process started on it a second later.
    /// This server's deploy goes on in memory against its own store, which nothing reads any more.
    /// </summary>
    public async Task<DeployRunHarness> CrashAndRestartAsync()
    {
        var next = new DeployRunHarness(Time.GetUtcNow() + TimeSpan.FromSeconds(1));
        foreach (var file in Directory.EnumerateFiles(_dataDir, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith("crossfade.db", StringComparison.Ordinal)))
        {
            var copy = Path.Combine(next._dataDir, Path.GetRelativePath(_dataDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dataDir, "crossfade.db")};Pooling=False"))
        {
            await db.OpenAsync();
            await using var vacuum = db.CreateCommand();
            vacuum.CommandText = $"VACUUM INTO '{Path.Combine(next._dataDir, "crossfade.db")}'";
            await vacuum.ExecuteNonQueryAsync();
        }
        await next.BootAsync();
        return next;
    }

    /// <summary>The server's address.</summary>
    public string Url { get; private set; } = "";

    /// <summary>A client of the server's API with its admin token.</summary>
    public HttpClient Admin()
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", File.ReadAllText(Path.Combine(_dataDir, "admin.token")).Trim());
        return client;
    }

    /// <summary>Enrolls the hosts and marks them seen until <paramref name="until"/>, so deploys find them online however far the clock moves before then.</summary>
    public async Task HostsOnlineUntilAsync(DateTimeOffset until)
    {
        foreach (var host in new[] { "web-1", "web-2" })
        {
            await Store.UpsertHostAsync(host, ["web"], Time.GetUtcNow(), default);
            await Store.TouchHostAsync(host, "{}", until, default);
        }
    }

    private async Task BootAsync()
    {
        Url = $"http://127.0.0.1:{FreePorts.Next()}";
        var options = new ServerOptions { DataDir = _dataDir, Urls = Url, StepTimeout = TimeSpan.FromMinutes(5) };
        _server = await ServerHost.BuildAsync(options, Time);
        await _server.StartAsync();
        Store = _server.Services.GetRequiredService<IStore>();
        Runner = _server.Services.GetRequiredService<DeployRunner>();
        Signals = _server.Services.GetRequiredService<WorkSignals>();
    }

    /// <summary>Creates a deploy of 2.0.0 over the live 1.0.0 and runs it.</summary>
    public async Task<long> DeployAsync(string? canary = null, string? configJson = null)
    {
        var draft = new DeployRecord(0, App, "prod", DeployKind.Deploy, "2.0.0", "1.0.0", DeployState.Queued, "ann", "cli", Time.GetUtcNow(), null, null,
            Canary: canary, ConfigJson: configJson);
        var id = (await Store.CreateDeployAsync(draft, null, false, default)).Deploy.Id;
        Runner.Launch(id);
        return id;
    }

    /// <summary>
    /// Answers every step queued for the hosts until the deploy reaches <paramref name="until"/> (a state),
    /// failing the steps <paramref name="fails"/> picks; returns what it answered, as "host kind version".
    /// </summary>
    public async Task<List<string>> PlayHostsAsync(long deployId, DeployState until, Func<StepRecord, bool>? fails = null) =>
        (await PlayAsync(deployId, until, fails, stopAt: null)).Answered;

    /// <summary>Answers the hosts' steps until one that <paramref name="stopAt"/> picks is taken; that one is left running, and returned.</summary>
    public async Task<StepRecord> PlayHostsUntilTakenAsync(long deployId, Func<StepRecord, bool> stopAt, Func<StepRecord, bool>? fails = null) =>
        (await PlayAsync(deployId, null, fails, stopAt)).Stopped ?? throw new InvalidOperationException("the deploy ended before the step was taken");

    /// <summary>Answers, once, every step queued for the hosts now (successfully); returns what it answered.</summary>
    public async Task<List<string>> AnswerQueuedAsync()
    {
        var answered = new List<string>();
        foreach (var host in new[] { "web-1", "web-2" })
            while (await Store.TakeNextStepAsync(host, Time.GetUtcNow(), default) is { } step)
            {
                await Store.FinishStepAsync(step.Id, true, "done", Time.GetUtcNow(), default);
                Signals.DeployChanged(step.DeployId);
                answered.Add($"{step.Host} {WireNames.Of(step.Kind)} {VersionOf(step)}");
            }
        return answered;
    }

    /// <summary>Answers every step queued for the hosts, as they come, until <paramref name="condition"/> holds (bounded, on the real clock).</summary>
    public async Task AnswerUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the condition never held while the hosts answered");
            if ((await AnswerQueuedAsync()).Count == 0)
                await Task.Delay(10);
        }
    }

    // One count for every harness: a store copied by a restart holds the batches stored before it, and a batch is stored once.
    private static long s_batch;

    /// <summary>
    /// Stores requests as the hosts' proxies would have shipped them: <paramref name="count"/> of them, a
    /// millisecond apart from <paramref name="from"/>, on <paramref name="route"/>, every
    /// <paramref name="failEvery"/>th one a 500 (0: none), each taking <paramref name="ms"/>.
    /// </summary>
    public async Task TrafficAsync(string release, int count, DateTimeOffset from, string route = "/listings", int failEvery = 0, double ms = 40)
    {
        var access = Enumerable.Range(0, count).Select(i => new StoredAccess(from.AddMilliseconds(i), i % 2 == 0 ? "web-1" : "web-2", App, "prod", release,
            "GET", route, route, failEvery > 0 && i % failEvery == 0 ? 500 : 200, ms + i % 7, 100)).ToList();
        await Store.IngestAsync(new IngestWrite("web-1", Interlocked.Increment(ref s_batch), count, access, [], [], new Dictionary<string, long>(), Time.GetUtcNow()), default);
    }

    /// <summary>The agent that was running <paramref name="step"/> when the server died re-delivers its result to this server.</summary>
    public async Task FinishAsync(StepRecord step, bool succeeded = true)
    {
        await Store.FinishStepAsync(step.Id, succeeded, succeeded ? "done" : "it broke", Time.GetUtcNow(), default);
        Signals.DeployChanged(step.DeployId);
    }

    private async Task<(List<string> Answered, StepRecord? Stopped)> PlayAsync(long deployId, DeployState? until, Func<StepRecord, bool>? fails, Func<StepRecord, bool>? stopAt)
    {
        var answered = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await Store.GetDeployAsync(deployId, default))!.State is var state && state != until && !DeployTransitions.IsTerminal(state))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"deploy {deployId} never reached {until}: {state} ({(await Store.GetDeployAsync(deployId, default))!.Reason})");
            var took = false;
            foreach (var host in new[] { "web-1", "web-2" })
            {
                if (await Store.TakeNextStepAsync(host, Time.GetUtcNow(), default) is not { } step)
                    continue;
                took = true;
                if (stopAt?.Invoke(step) == true)
                    return (answered, step);
                var failed = fails?.Invoke(step) == true;
                await Store.FinishStepAsync(step.Id, !failed, failed ? "it broke" : "done", Time.GetUtcNow(), default);
                Signals.DeployChanged(step.DeployId);
                answered.Add($"{step.Host} {WireNames.Of(step.Kind)} {VersionOf(step)}");
            }
            if (!took)
                await Task.Delay(10);
        }
        if (until is { } wanted && (await Store.GetDeployAsync(deployId, default))!.State != wanted)
            throw new InvalidOperationException($"deploy {deployId} ended {(await Store.GetDeployAsync(deployId, default))!.State}, not {wanted}");
        return (answered, null);
    }

    public static string VersionOf(StepRecord step) =>
        System.Text.Json.JsonDocument.Parse(step.PayloadJson).RootElement.GetProperty("version").GetString()!;

    /// <summary>Waits (on the real clock, bounded) until the deploy stands in <paramref name="state"/>, moving nothing.</summary>
    public async Task<DeployRecord> WaitForStateAsync(long deployId, DeployState state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var deploy = (await Store.GetDeployAsync(deployId, default))!;
            if (deploy.State == state)
                return deploy;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"deploy {deployId} never reached {state}: {deploy.State} ({deploy.Reason})");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
