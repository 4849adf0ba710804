using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Agent.Steps;

public sealed class HostStepsRollbackTests : IDisposable
{
    private readonly StepsHarness _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Activate_CriticalPathFailsRightAfterSwap_SwapsBackToOldStopsFailedAndFails()
    {
        var runtime = StepsHarness.Runtime(checks: [StepsHarness.Checkout]);
        await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", runtime));
        var old = _host.Stored.Live.ShouldNotBeNull();
        _host.Checks.Failure = _ => _host.Proxy.ServedRelease == "2.0.0" ? "expected status 201, got 500" : null;

        var result = await _host.RunAsync(StepKind.Activate, _host.Release("2.0.0", runtime));

        result.Succeeded.ShouldBeFalse();
        result.Message.ShouldContain("critical path 'checkout' failed on the switched host: expected status 201, got 500");
        result.Message.ShouldContain("switched this host back to 1.0.0");
        _host.Checks.Runs[^1].ShouldBe(("http://127.0.0.1:8080", "switched host"), "the checks go through the proxy, as users do");
        var failed = _host.Launcher.WebStarted[^1];
        _host.Proxy.Swaps.Select(s => s.Release).ShouldBe(["1.0.0", "2.0.0", "1.0.0"]);
        _host.Proxy.ServedUrl.ShouldBe($"http://127.0.0.1:{old.Port}/");
        _host.Processes.WasStopped(failed.Process).ShouldBeTrue();
        _host.Processes.IsAlive(old.Process).ShouldBeTrue();
        _host.Stored.Live.ShouldBe(old);
    }

    [Fact]
    public async Task Activate_CriticalPathFailsOnFirstRelease_FailsSayingThereIsNothingToSwitchBackTo()
    {
        _host.Checks.Failure = _ => "expected status 201, got 500";

        var result = await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", StepsHarness.Runtime(checks: [StepsHarness.Checkout])));

        result.Succeeded.ShouldBeFalse();
        result.Message.ShouldContain("there was no earlier instance to switch back to");
        _host.Proxy.Swaps.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task PrepareAndActivate_PreviousReleaseKeptWarm_TakesTheWarmInstanceBackWithoutStartingAProcess()
    {
        var runtime = StepsHarness.Runtime(bakeSeconds: 600);
        await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", runtime));
        var warm = _host.Stored.Live.ShouldNotBeNull();
        await _host.RunAsync(StepKind.Activate, _host.Release("2.0.0", runtime));
        var bad = _host.Stored.Live.ShouldNotBeNull();
        var started = _host.Launcher.WebStarted.Count;

        var prepared = await _host.RunAsync(StepKind.Prepare, _host.Release("1.0.0", runtime));
        var activated = await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", runtime));

        prepared.Succeeded.ShouldBeTrue(prepared.Message);
        activated.Succeeded.ShouldBeTrue(activated.Message);
        _host.Launcher.WebStarted.Count.ShouldBe(started, "the rollback reuses the warm instance");
        _host.Proxy.Swaps[^1].ShouldBe(new Crossfade.Agent.Proxy.SwapRequest($"http://127.0.0.1:{warm.Port}/", "1.0.0", 10));
        _host.Stored.Live.ShouldBe(warm);
        _host.Stored.Previous.ShouldBe(bad, "the release rolled back from is kept warm in its turn");
        _host.Processes.Stops.ShouldBeEmpty();
    }

    [Fact]
    public async Task Finalize_InstanceKeptWarm_StopsItAndForgetsIt()
    {
        var runtime = StepsHarness.Runtime(bakeSeconds: 600);
        await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", runtime));
        var warm = _host.Stored.Live.ShouldNotBeNull();
        await _host.RunAsync(StepKind.Activate, _host.Release("2.0.0", runtime));
        var live = _host.Stored.Live.ShouldNotBeNull();

        var result = await _host.RunAsync(StepKind.Finalize, _host.Release("2.0.0", runtime));

        result.Succeeded.ShouldBeTrue(result.Message);
        _host.Processes.Stops.ShouldHaveSingleItem().Process.ShouldBe(warm.Process);
        _host.Stored.Previous.ShouldBeNull();
        _host.Stored.Live.ShouldBe(live);
    }

    [Fact]
    public async Task Finalize_NothingKeptWarm_StopsNothing()
    {
        await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", StepsHarness.Runtime()));

        var result = await _host.RunAsync(StepKind.Finalize, _host.Release("1.0.0", StepsHarness.Runtime()));

        result.Succeeded.ShouldBeTrue();
        result.Message.ShouldBe("nothing kept warm");
        _host.Processes.Stops.ShouldBeEmpty();
    }

    [Fact]
    public async Task Discard_CandidateOfThatRelease_StopsIt()
    {
        await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", StepsHarness.Runtime()));
        var live = _host.Stored.Live.ShouldNotBeNull();
        await _host.RunAsync(StepKind.Prepare, _host.Release("2.0.0", StepsHarness.Runtime()));
        var candidate = _host.Stored.Candidate.ShouldNotBeNull();

        var result = await _host.RunAsync(StepKind.Discard, _host.Release("2.0.0", StepsHarness.Runtime()));

        result.Succeeded.ShouldBeTrue(result.Message);
        _host.Processes.Stops.ShouldHaveSingleItem().Process.ShouldBe(candidate.Process);
        _host.Stored.Candidate.ShouldBeNull();
        _host.Stored.Live.ShouldBe(live);
    }

    [Fact]
    public async Task Discard_CandidateOfAnotherRelease_StopsNothing()
    {
        await _host.RunAsync(StepKind.Prepare, _host.Release("2.0.0", StepsHarness.Runtime()));
        var candidate = _host.Stored.Candidate.ShouldNotBeNull();

        var result = await _host.RunAsync(StepKind.Discard, _host.Release("3.0.0", StepsHarness.Runtime()));

        result.Succeeded.ShouldBeTrue();
        result.Message.ShouldBe("no candidate to stop");
        _host.Processes.Stops.ShouldBeEmpty();
        _host.Stored.Candidate.ShouldBe(candidate);
    }
}
