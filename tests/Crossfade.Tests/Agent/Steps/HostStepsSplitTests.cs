using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Agent.Steps;

/// <summary>The judged split on one host: a share of its clients on the candidate, the live instance serving on.</summary>
public sealed class HostStepsSplitTests : IDisposable
{
    private readonly StepsHarness _host = new();

    public void Dispose() => _host.Dispose();

    private async Task<InstanceRecordPair> LiveAndCandidateAsync()
    {
        var runtime = StepsHarness.Runtime();
        (await _host.RunAsync(StepKind.Activate, _host.Release("1.0.0", runtime))).Succeeded.ShouldBeTrue();
        (await _host.RunAsync(StepKind.Prepare, _host.Release("2.0.0", runtime))).Succeeded.ShouldBeTrue();
        return new InstanceRecordPair(_host.Stored.Live!, _host.Stored.Candidate!);
    }

    private sealed record InstanceRecordPair(Crossfade.Agent.Instances.InstanceRecord Live, Crossfade.Agent.Instances.InstanceRecord Candidate);

    [Fact]
    public async Task Split_SendsTheShareToTheCandidate_AndTheLiveInstanceServesOn()
    {
        var (live, candidate) = await LiveAndCandidateAsync();

        var result = await _host.RunAsync(StepKind.Split, _host.Release("2.0.0", StepsHarness.Runtime()) with { SplitPercent = 10 });

        result.Succeeded.ShouldBeTrue(result.Message);
        result.Message.ShouldBe("10% of the clients on 2.0.0, 90% on 1.0.0");
        _host.Proxy.Split.ShouldBe(($"http://127.0.0.1:{candidate.Port}/", "2.0.0", 10));
        _host.Proxy.ServedRelease.ShouldBe("1.0.0");
        _host.Processes.IsAlive(live.Process).ShouldBeTrue();
        _host.Journal.IndexOf($"warm http://127.0.0.1:{candidate.Port}").ShouldBeLessThan(_host.Journal.IndexOf("split 2.0.0 10%"), "the candidate was warmed when it was prepared");
    }

    [Fact]
    public async Task ANewWeightOfTheSameSplit_ChangesOnlyTheWeight()
    {
        await LiveAndCandidateAsync();
        await _host.RunAsync(StepKind.Split, _host.Release("2.0.0", StepsHarness.Runtime()) with { SplitPercent = 10 });

        await _host.RunAsync(StepKind.Split, _host.Release("2.0.0", StepsHarness.Runtime()) with { SplitPercent = 30 });

        _host.Journal.Count(j => j.StartsWith("warm ", StringComparison.Ordinal)).ShouldBe(1, "warmed once, when prepared");
        _host.Proxy.Split.Weight.ShouldBe(30);
    }

    [Fact]
    public async Task SplitOfZero_EndsThisReleasesSplit_AndIsDoneWhenThereIsNone()
    {
        await LiveAndCandidateAsync();
        await _host.RunAsync(StepKind.Split, _host.Release("2.0.0", StepsHarness.Runtime()) with { SplitPercent = 10 });

        var ended = await _host.RunAsync(StepKind.Split, _host.Release("2.0.0", StepsHarness.Runtime()) with { SplitPercent = 0 });
        var again = await _host.RunAsync(StepKind.Split, _host.Release("2.0.0", StepsHarness.Runtime()) with { SplitPercent = 0 });

        ended.Succeeded.ShouldBeTrue(ended.Message);
        ended.Message.ShouldBe("every client back on 1.0.0");
        _host.Proxy.Split.Weight.ShouldBe(0);
        again.Succeeded.ShouldBeTrue("ending a split that has ended is done already");
        _host.Journal.Count(j => j == "split ended").ShouldBe(1);
    }

    [Fact]
    public async Task Discard_EndsTheSplitBeforeStoppingTheCandidate()
    {
        var (_, candidate) = await LiveAndCandidateAsync();
        await _host.RunAsync(StepKind.Split, _host.Release("2.0.0", StepsHarness.Runtime()) with { SplitPercent = 25 });

        var result = await _host.RunAsync(StepKind.Discard, _host.Release("2.0.0", StepsHarness.Runtime()));

        result.Succeeded.ShouldBeTrue(result.Message);
        _host.Proxy.Split.Weight.ShouldBe(0, "no client may be sent to a stopped candidate");
        _host.Processes.WasStopped(candidate.Process).ShouldBeTrue();
    }

    [Fact]
    public async Task Split_WithNoRunningCandidate_FailsAndChangesNothing()
    {
        var (_, candidate) = await LiveAndCandidateAsync();
        _host.Processes.Exit(candidate.Process);

        var result = await _host.RunAsync(StepKind.Split, _host.Release("2.0.0", StepsHarness.Runtime()) with { SplitPercent = 10 });

        result.Succeeded.ShouldBeFalse();
        result.Message.ShouldBe("no running candidate 2.0.0 to send clients to");
        _host.Proxy.Split.Weight.ShouldBe(0);
    }

    [Fact]
    public async Task Split_TheProxyRefuses_FailsWithItsReason_EveryClientOnTheLiveRelease()
    {
        await LiveAndCandidateAsync();
        _host.Proxy.RefuseSplits = "the candidate's release 2.0.0 is the live one";

        var result = await _host.RunAsync(StepKind.Split, _host.Release("2.0.0", StepsHarness.Runtime()) with { SplitPercent = 10 });

        result.Succeeded.ShouldBeFalse();
        result.Message.ShouldContain("refused the split: the candidate's release 2.0.0 is the live one; 1.0.0 keeps serving every client");
    }

    [Fact]
    public async Task Check_OfACandidateThatExited_SaysItIsNotRunning()
    {
        var (_, candidate) = await LiveAndCandidateAsync();
        _host.Processes.Exit(candidate.Process);

        var result = await _host.RunAsync(StepKind.Check, _host.Release("2.0.0", StepsHarness.Runtime()) with { Look = 3 });

        result.Succeeded.ShouldBeFalse();
        result.Message.ShouldStartWith(CheckMessages.NotRunning);
    }
}
