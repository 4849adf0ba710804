using Crossfade.Agent.Steps;

namespace Crossfade.Tests.Agent.Steps;

public sealed class DetachedCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cf-detached-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<CommandOutcome> RunAsync(long step, string command, CancellationToken ct = default) =>
        new DetachedCommand(_root, step).RunOrResumeAsync("shop", command, _root, new Dictionary<string, string>(), new StepLog(TimeProvider.System),
            TimeSpan.FromMinutes(1), TimeProvider.System, ct);

    [Fact]
    public async Task RunOrResume_AgentStoppedBeforeItRecordedThePid_AdoptsTheRunByItsWrappersPid_AndNeverRunsItAgain()
    {
        var runs = Path.Combine(_root, "runs");
        var command = $"echo run >> {runs}; sleep 1; exit 3";
        using var agentDies = new CancellationTokenSource();
        var first = RunAsync(7, command, agentDies.Token);
        var dir = Path.Combine(_root, "steps", "7");
        await WaitForAsync(() => File.Exists(Path.Combine(dir, "wrapper.pid")) && File.Exists(Path.Combine(dir, "process.json")));
        await agentDies.CancelAsync();
        (await Record.ExceptionAsync(() => first)).ShouldBeAssignableTo<OperationCanceledException>();
        // As if the agent had died before writing the PID it knew.
        File.Delete(Path.Combine(dir, "process.json"));

        var outcome = await RunAsync(7, command);

        outcome.ExitCode.ShouldBe(3);
        File.ReadAllLines(runs).ShouldBe(["run"]);
    }

    [Fact]
    public async Task RunOrResume_WrapperPidNowAnotherProcess_IsAnUnknownOutcome_NotAnAdoption()
    {
        var dir = Path.Combine(_root, "steps", "8");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "started.json"), """{"App":"shop","Command":"true","StartedAt":"2026-12-03T04:00:00+00:00"}""");
        // A PID that exists but is not this step's wrapper: this test process.
        await File.WriteAllTextAsync(Path.Combine(dir, "wrapper.pid"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var outcome = await RunAsync(8, "true");

        outcome.ExitCode.ShouldBeNull();
        outcome.Unknown!.ShouldContain("was not run again");
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the command never started");
            await Task.Delay(10);
        }
    }
}
