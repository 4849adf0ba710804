using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Agent.Steps;

public sealed class HostStepsCutoverTests : IDisposable
{
    private readonly StepsHarness _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Activate_FirstRelease_StartsCandidateSwapsProxyToItAndRecordsLive()
    {
        var result = await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", StepsHarness.Runtime()));

        result.Succeeded.ShouldBeTrue(result.Message);
        var started = _host.Launcher.WebStarted.ShouldHaveSingleItem();
        started.Version.ShouldBe("1.0.0");
        var swap = _host.Proxy.Swaps.ShouldHaveSingleItem();
        swap.Url.ShouldBe($"http://127.0.0.1:{started.Port}/");
        swap.Release.ShouldBe("1.0.0");
        _host.Stored.Live.ShouldBe(started);
        _host.Stored.Candidate.ShouldBeNull();
        _host.Stored.Proxy.ShouldNotBeNull().Port.ShouldBe(8080);
        new FileInfo(_host.Layout.Current).LinkTarget.ShouldBe(Path.Combine("releases", "1.0.0"));
    }

    [Fact]
    public async Task Activate_ProxyRefusesTheSwap_FailsSayingSo_AndTheOldInstanceKeepsServing()
    {
        await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", StepsHarness.Runtime()));
        var old = _host.Stored.Live.ShouldNotBeNull();
        _host.Proxy.RefuseSwaps = true;

        var result = await _host.RunAsync(StepKind.Activate, _host.Release("2.0.0", StepsHarness.Runtime()));

        result.Succeeded.ShouldBeFalse();
        result.Message.ShouldContain("refused the switch to 2.0.0", Case.Sensitive);
        result.Message.ShouldContain("1.0.0 keeps serving", Case.Sensitive);
        _host.Proxy.ServedRelease.ShouldBe("1.0.0");
        _host.Stored.Live.ShouldBe(old);
        _host.Processes.IsAlive(old.Process).ShouldBeTrue();
        _host.Stored.Candidate.ShouldNotBeNull().Version.ShouldBe("2.0.0", "the candidate stays for a later attempt or a discard");
    }

    [Fact]
    public async Task Activate_NewReleaseWithBakeWindow_SwapsThenKeepsOldWarmAsPrevious()
    {
        await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", StepsHarness.Runtime(bakeSeconds: 600)));
        var old = _host.Stored.Live.ShouldNotBeNull();

        var result = await _host.RunAsync(StepKind.Activate, _host.Release("2.0.0", StepsHarness.Runtime(bakeSeconds: 600)));

        result.Succeeded.ShouldBeTrue(result.Message);
        var candidate = _host.Launcher.WebStarted[^1];
        candidate.Version.ShouldBe("2.0.0");
        _host.Proxy.ServedRelease.ShouldBe("2.0.0");
        _host.Stored.Live.ShouldBe(candidate);
        _host.Stored.Previous.ShouldBe(old);
        _host.Processes.WasStopped(old.Process).ShouldBeFalse("a release in its bake window keeps the old instance warm for a rollback");
        _host.Processes.IsAlive(old.Process).ShouldBeTrue();
    }

    [Fact]
    public async Task Activate_NewReleaseWithoutBakeWindow_StopsOldAfterTheSwap()
    {
        await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", StepsHarness.Runtime()));
        var old = _host.Stored.Live.ShouldNotBeNull();

        var result = await _host.RunAsync(StepKind.Activate, _host.Release("2.0.0", StepsHarness.Runtime()));

        result.Succeeded.ShouldBeTrue(result.Message);
        var candidate = _host.Launcher.WebStarted[^1];
        _host.Journal.TakeLast(3).ShouldBe([$"start web 2.0.0 {candidate.Process.Pid}", "swap 2.0.0", $"stop {old.Process.Pid}"]);
        _host.Processes.Stops.ShouldHaveSingleItem().Grace.ShouldBe(TimeSpan.FromSeconds(10), "the old instance gets the drain time, at least 5 s");
        _host.Stored.Live.ShouldBe(candidate);
        _host.Stored.Previous.ShouldBeNull();
    }

    [Fact]
    public async Task Activate_ReleaseAlreadyLive_StartsNothingAndDoesNotSwap()
    {
        var payload = _host.Release("1.0.0", StepsHarness.Runtime());
        await _host.RunAsync(StepKind.Activate, payload);
        var live = _host.Stored.Live;

        var again = await _host.RunAsync(StepKind.Activate, payload);

        again.Succeeded.ShouldBeTrue(again.Message);
        again.Message.ShouldContain("live already");
        _host.Launcher.WebStarted.Count.ShouldBe(1);
        _host.Proxy.Swaps.Count.ShouldBe(1);
        _host.Processes.Stops.ShouldBeEmpty();
        _host.Stored.Live.ShouldBe(live);
    }

    [Fact]
    public async Task Activate_CandidateUnhealthy_DoesNotSwapStopsCandidateAndOldKeepsServing()
    {
        await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", StepsHarness.Runtime()));
        var old = _host.Stored.Live.ShouldNotBeNull();
        _host.Launcher.Unhealthy.Add("2.0.0");

        var result = await _host.RunAsync(StepKind.Activate, _host.Release("2.0.0", StepsHarness.Runtime()));

        result.Succeeded.ShouldBeFalse();
        result.Message.ShouldContain("candidate 2.0.0 failed its health check");
        result.Message.ShouldContain("it never took traffic");
        _host.Proxy.Swaps.Count.ShouldBe(1);
        _host.Proxy.ServedRelease.ShouldBe("1.0.0");
        var candidate = _host.Launcher.WebStarted[^1];
        candidate.Version.ShouldBe("2.0.0");
        _host.Processes.WasStopped(candidate.Process).ShouldBeTrue();
        _host.Processes.WasStopped(old.Process).ShouldBeFalse();
        _host.Stored.Live.ShouldBe(old);
        _host.Stored.Candidate.ShouldBeNull();
    }

    [Fact]
    public async Task Prepare_WebRelease_LeavesHealthyCandidateThatActivateSwapsToWithoutStartingAnother()
    {
        var payload = _host.Release("1.0.0", StepsHarness.Runtime());

        var prepared = await _host.RunAsync(StepKind.Prepare, payload);
        var candidate = _host.Stored.Candidate;
        var swapsAfterPrepare = _host.Proxy.Swaps.Count;
        var activated = await _host.RunAsync(StepKind.Activate, payload);

        prepared.Succeeded.ShouldBeTrue(prepared.Message);
        candidate.ShouldNotBeNull().Version.ShouldBe("1.0.0");
        swapsAfterPrepare.ShouldBe(0, "prepare never touches the proxy");
        _host.Proxy.Swaps.Count.ShouldBe(1);
        activated.Succeeded.ShouldBeTrue(activated.Message);
        _host.Launcher.WebStarted.ShouldHaveSingleItem();
        _host.Stored.Live.ShouldBe(candidate);
    }
}
