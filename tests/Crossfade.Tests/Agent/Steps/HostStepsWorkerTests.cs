using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Agent.Steps;

public sealed class HostStepsWorkerTests : IDisposable
{
    private readonly StepsHarness _host = new();

    public void Dispose() => _host.Dispose();

    private static AppRuntime WorkerRuntime => StepsHarness.Runtime(worker: "./work");

    [Fact]
    public async Task ActivateWorker_OldWorkerRunning_StopsOldThenStartsNew()
    {
        await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", WorkerRuntime, "worker"));
        var old = _host.Stored.Worker.ShouldNotBeNull();

        var result = await _host.RunAsync(StepKind.Activate, _host.Release("2.0.0", WorkerRuntime, "worker"));

        result.Succeeded.ShouldBeTrue(result.Message);
        var next = _host.Launcher.WorkersStarted[^1];
        next.Version.ShouldBe("2.0.0");
        _host.Journal.TakeLast(2).ShouldBe([$"stop {old.Process.Pid}", $"start worker 2.0.0 {next.Process.Pid}"]);
        _host.Processes.Stops.ShouldHaveSingleItem().Grace.ShouldBe(TimeSpan.FromSeconds(10), "the old worker gets the drain time to finish its job");
        _host.Stored.Worker.ShouldBe(next);
        _host.Launcher.WebStarted.ShouldBeEmpty();
        _host.Proxy.Swaps.ShouldBeEmpty();
    }

    [Fact]
    public async Task ActivateWorker_WorkerExitsAtOnce_Fails()
    {
        _host.Launcher.WorkersExitAtOnce = true;

        var result = await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", WorkerRuntime, "worker"));

        result.Succeeded.ShouldBeFalse();
        result.Message.ShouldContain("worker 1.0.0 exited within 1 s of its start");
        _host.Launcher.WorkersStarted.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task ActivateWorker_SameReleaseRunning_StartsNothing()
    {
        var payload = _host.Release("1.0.0", WorkerRuntime, "worker");
        await _host.RunAsync(StepKind.Activate, payload);

        var again = await _host.RunAsync(StepKind.Activate, payload);

        again.Succeeded.ShouldBeTrue();
        again.Message.ShouldBe("worker 1.0.0 runs already");
        _host.Launcher.WorkersStarted.ShouldHaveSingleItem();
        _host.Processes.Stops.ShouldBeEmpty();
    }

    [Fact]
    public async Task ActivateWorker_NewWorker_JudgesItOnlyAfterASecondOnTheInjectedClock()
    {
        var running = _host.Start(StepKind.Activate, _host.Release("1.0.0", WorkerRuntime, "worker"));
        _host.Time.Advance(TimeSpan.FromMilliseconds(999));
        var judgedEarly = running.IsCompleted;
        _host.Time.Advance(TimeSpan.FromMilliseconds(1));
        // Well under the second a wait on the machine's clock would still need.
        var result = await running.WaitAsync(TimeSpan.FromMilliseconds(900), TimeProvider.System);

        judgedEarly.ShouldBeFalse();
        result.Succeeded.ShouldBeTrue(result.Message);
        _host.Stored.Worker.ShouldNotBeNull().Version.ShouldBe("1.0.0");
    }

    [Fact]
    public async Task Activate_WebAndWorkerHost_SwapsWebThenReplacesWorker()
    {
        var result = await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", WorkerRuntime, "web", "worker"));

        result.Succeeded.ShouldBeTrue(result.Message);
        var web = _host.Launcher.WebStarted.ShouldHaveSingleItem();
        var worker = _host.Launcher.WorkersStarted.ShouldHaveSingleItem();
        _host.Journal.ShouldBe([$"start web 1.0.0 {web.Process.Pid}", "swap 1.0.0", $"start worker 1.0.0 {worker.Process.Pid}"]);
        _host.Stored.Live.ShouldBe(web);
        _host.Stored.Worker.ShouldBe(worker);
    }
}
