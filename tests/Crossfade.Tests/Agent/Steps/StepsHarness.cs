using Crossfade.Agent;
using Crossfade.Agent.Hosting;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Releases;
using Crossfade.Agent.Secrets;
using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;
using Microsoft.Extensions.Time.Testing;

namespace Crossfade.Tests.Agent.Steps;

/// <summary>
/// One host's <see cref="HostSteps"/> over in-memory processes, proxy, ports and checks, on a fake clock,
/// with the real state store and release folders in a temporary root.
/// </summary>
internal sealed class StepsHarness : IDisposable
{
    public const string App = "shop";
    private const string Sha = "5e1f0c2ab7d94e3f8a6b1c0d2e4f6a8b9c1d3e5f7a9b0c2d4e6f8a0b1c3d5e7f";

    private readonly string _root = Directory.CreateTempSubdirectory("cf-steps-").FullName;
    private readonly HostSteps _steps;
    private long _stepId;

    public StepsHarness()
    {
        Processes = new FakeProcesses(Journal);
        Launcher = new FakeInstanceLauncher(Processes, Journal, Time);
        Proxy = new FakeProxyControl(Processes, Journal);
        State = new HostStateStore(StatePath);
        var options = new AgentOptions { Name = "web-1", Root = _root, SelfCommand = ["/bin/false"] };
        var noServer = new ServerClient(new HttpClient(new NoServer()) { BaseAddress = new Uri("http://127.0.0.1:1/") });
        _steps = new HostSteps(options, State, new ReleaseStager(noServer, Time), Launcher, Proxy, Processes, new FakePorts(), Checks,
            new JournalWarmUp(Journal), new SecretMasks(_root), Time);
    }

    /// <summary>What happened, in order, across processes, instances and the proxy ("start web 1.0.0 1001", "swap 1.0.0", "stop 1001").</summary>
    public List<string> Journal { get; } = [];
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-11-22T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    public FakeProcesses Processes { get; }
    public FakeInstanceLauncher Launcher { get; }
    public FakeProxyControl Proxy { get; }
    public FakeCriticalPaths Checks { get; } = new();
    public HostStateStore State { get; }
    public StepLog Log { get; } = new(TimeProvider.System);

    private string StatePath => Path.Combine(_root, "state.json");
    public HostLayout Layout => new(_root, App);

    /// <summary>The app's state as saved on disk, read afresh.</summary>
    public AppState Stored => HostState.Load(StatePath).For(App);

    public static AppRuntime Runtime(int bakeSeconds = 0, string? worker = null, IReadOnlyList<CheckDefinition>? checks = null) =>
        new("./run", worker, null, "/health", 30, 8080, 10, 5, [], new Dictionary<string, string>(), checks, bakeSeconds);

    public static CheckDefinition Checkout { get; } = new("checkout", "POST", "/orders", "{}", "application/json", 201, null);

    /// <summary>A step's payload for a release that is on disk already, so preparing it downloads nothing.</summary>
    public StepPayload Release(string version, AppRuntime runtime, params string[] roles)
    {
        Directory.CreateDirectory(Layout.Release(version));
        File.WriteAllText(Layout.Marker(version), Sha);
        return new StepPayload(App, version, Sha, roles.Length > 0 ? roles : ["web"], runtime);
    }

    /// <summary>
    /// Runs a step to its end. The only wait on the clock in these steps is the worker's settle second;
    /// the clock moves a second at a time until the step ends.
    /// </summary>
    public async Task<StepResult> RunAsync(StepKind kind, StepPayload payload)
    {
        var running = Start(kind, payload);
        // A second at a time until it ends: a step may reach its wait only after real I/O.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!running.IsCompleted && DateTime.UtcNow < deadline)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(running, Task.Delay(10));
        }
        return await running.WaitAsync(TimeSpan.FromSeconds(1), TimeProvider.System);
    }

    /// <summary>Starts a step and returns at its first wait, for a test that drives the clock itself.</summary>
    public Task<StepResult> Start(StepKind kind, StepPayload payload) =>
        _steps.RunAsync(new WorkItem(++_stepId, 1, WireNames.Of(kind), payload), Log, CancellationToken.None);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A warm-up that only notes which candidate it was asked to warm.</summary>
    private sealed class JournalWarmUp(List<string> journal) : Crossfade.Agent.Checks.IWarmUp
    {
        public Task<string> WarmAsync(string baseUrl, string? liveUrl, string accessLog, StepLog log, CancellationToken ct)
        {
            journal.Add($"warm {baseUrl}");
            return Task.FromResult("warmed");
        }
    }

    /// <summary>The server is never asked for anything: every release is on disk already.</summary>
    private sealed class NoServer : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"the step asked the server for {request.RequestUri}");
    }
}
