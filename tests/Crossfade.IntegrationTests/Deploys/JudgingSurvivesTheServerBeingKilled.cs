using Crossfade.Contracts.V1;
using Crossfade.Load;

namespace Crossfade.IntegrationTests.Deploys;

/// <summary>
/// The server process killed (SIGKILL) in the middle of a judged window under shopper traffic, and
/// started again: the hosts keep their split meanwhile, the window goes on from its stored start with
/// the verdicts given before the kill, the judge reads the records the agents shipped once the server
/// was back, and the good release cuts over with no request lost.
/// </summary>
public sealed class JudgingSurvivesTheServerBeingKilled
{
    [Fact]
    public async Task ServerKilledInTheJudgedWindow_ResumesJudgingWithItsVerdicts_AndTheGoodReleaseCutsOver()
    {
        await using var fleet = await Fleet.StartAsync(nameof(JudgingSurvivesTheServerBeingKilled));
        // The server's own restart takes this machine's two cores for seconds, in the window and on the
        // candidate's fresh instance above all: latency is held to a wide floor here (the judge's
        // latency checks have their own tests), errors to the usual one.
        await fleet.ReapplyAsync(spec => spec.Replace("\nenvironments:",
            "\njudge:\n  mode: enforce\n  weight_percent: 50\n  min_seconds: 20\n  max_seconds: 90\n  warmup_seconds: 5\n  latency_shift_ms: 500\nenvironments:"));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        // Each shopper keeps its side of the split (its cookie), so the candidate's share comes in whole
        // shoppers: 16 of them at 50% leave it without any one in about 1 run of 65,000.
        var traffic = fleet.Traffic(16, TimeSpan.FromMinutes(3), 2_000_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);

        var started = await fleet.Api.DeployAsync(Fleet.App, Fleet.Env, "2.0.0", CancellationToken.None);
        var before = await WaitForFirstVerdictAsync(fleet, started.Id);
        fleet.Local.KillServer();
        var servedWhileDown = await ServedMixAsync(fleet);
        await fleet.Local.StartServerAsync(CancellationToken.None);
        var done = await fleet.WatchAsync(started);
        await stop.CancelAsync();
        await load;

        servedWhileDown.ShouldBe(["1.0.0", "2.0.0"], "the hosts keep their split while the server is down");
        done.State.ShouldBe(DeployState.Succeeded, done.Reason);
        done.Phases.Count(p => p.Name == DeployState.Judging).ShouldBe(1, "the window is resumed, not opened again");
        var first = before.Verdicts!.First();
        done.Verdicts!.ShouldContain(v => v.At == first.At && v.Outcome == first.Outcome, "the verdicts given before the kill are kept");
        var final = done.Verdicts!.Single(v => v.Final && v.Phase == DeployState.Judging);
        (final.Outcome, final.Action).ShouldBe((JudgeOutcome.Pass, "cutting over"));
        final.CandidateRequests.ShouldBeGreaterThanOrEqualTo(200);
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.0");
        traffic.Samples.Where(s => s.Failed).ShouldBeEmpty("no request failed because of the kill, the split or the cutover");
    }

    private static async Task<DeployView> WaitForFirstVerdictAsync(Fleet fleet, long id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var deploy = await fleet.Api.GetDeployAsync(id, CancellationToken.None);
            Cli.DeployWatcher.IsFinal(deploy.State).ShouldBeFalse($"deploy #{id} ended as {deploy.State} before the judge spoke: {deploy.Reason}");
            if (deploy.Verdicts is { Count: > 0 })
                return deploy.State == DeployState.Judging ? deploy : throw new ShouldAssertException($"the first verdict came in {deploy.State}, not in the judged window");
            if (DateTime.UtcNow > deadline)
                throw new ShouldAssertException($"deploy #{id} gave no verdict in a minute; it is {deploy.State}");
            await Task.Delay(100);
        }
    }

    /// <summary>The versions a few fresh clients see through the web hosts' proxies (each client without cookies, so the split decides).</summary>
    private static async Task<IReadOnlyList<string>> ServedMixAsync(Fleet fleet)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 40 && seen.Count < 2; i++)
            foreach (var v in await fleet.ServedVersionsAsync())
                seen.Add(v);
        return seen.ToList();
    }
}
