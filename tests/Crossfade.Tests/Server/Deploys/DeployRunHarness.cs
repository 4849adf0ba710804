using Crossfade.Agent.Instances;
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

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 3, 4, 0, 0, TimeSpan.Zero));
    public IStore Store { get; private set; } = null!;
    public DeployRunner Runner { get; private set; } = null!;
    private WorkSignals Signals { get; set; } = null!;

    public static async Task<DeployRunHarness> StartAsync(string specTail = "")
    {
        var harness = new DeployRunHarness();
        var options = new ServerOptions { DataDir = harness._dataDir, Urls = $"http://127.0.0.1:{FreePorts.Next()}", StepTimeout = TimeSpan.FromMinutes(5) };
        harness._server = await ServerHost.BuildAsync(options, harness.Time);
        await harness._server.StartAsync();
        harness.Store = harness._server.Services.GetRequiredService<IStore>();
        harness.Runner = harness._server.Services.GetRequiredService<DeployRunner>();
        harness.Signals = harness._server.Services.GetRequiredService<WorkSignals>();
        var spec = $"app: {App}\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n      web-1: [web]\n      web-2: [web]\n{specTail}";
        await harness.Store.UpsertAppAsync(new AppRecord(App, spec, harness.Time.GetUtcNow()), default);
        foreach (var version in new[] { "1.0.0", "2.0.0" })
            await harness.Store.AddReleaseAsync(new ReleaseRecord(App, version, new string('a', 64), 1, null, null, "ann", harness.Time.GetUtcNow()), default);
        await harness.Store.SetLiveVersionAsync(App, "prod", "1.0.0", 0, default);
        return harness;
    }

    /// <summary>Creates a deploy of 2.0.0 over the live 1.0.0 and runs it.</summary>
    public async Task<long> DeployAsync()
    {
        var draft = new DeployRecord(0, App, "prod", "deploy", "2.0.0", "1.0.0", "Queued", "ann", "cli", Time.GetUtcNow(), null, null);
        var id = (await Store.CreateDeployAsync(draft, null, false, default)).Deploy.Id;
        Runner.Launch(id);
        return id;
    }

    /// <summary>
    /// Answers every step queued for the hosts until the deploy reaches <paramref name="until"/> (a state),
    /// failing the steps <paramref name="fails"/> picks; returns what it answered, as "host kind version".
    /// </summary>
    public async Task<List<string>> PlayHostsAsync(long deployId, string until, Func<StepRecord, bool>? fails = null)
    {
        var answered = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await Store.GetDeployAsync(deployId, default))!.State != until)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"deploy {deployId} never reached {until}: {(await Store.GetDeployAsync(deployId, default))!.State}");
            var took = false;
            foreach (var host in new[] { "web-1", "web-2" })
            {
                if (await Store.TakeNextStepAsync(host, Time.GetUtcNow(), default) is not { } step)
                    continue;
                took = true;
                var failed = fails?.Invoke(step) == true;
                await Store.FinishStepAsync(step.Id, !failed, failed ? "it broke" : "done", Time.GetUtcNow(), default);
                Signals.DeployChanged(step.DeployId);
                answered.Add($"{step.Host} {step.Kind} {VersionOf(step)}");
            }
            if (!took)
                await Task.Delay(10);
        }
        return answered;
    }

    /// <summary>Waits (on the real clock, bounded) until the deploy stands in <paramref name="state"/>, moving nothing.</summary>
    public async Task<DeployRecord> WaitForStateAsync(long deployId, string state)
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

    private static string VersionOf(StepRecord step) =>
        System.Text.Json.JsonDocument.Parse(step.PayloadJson).RootElement.GetProperty("version").GetString()!;

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
