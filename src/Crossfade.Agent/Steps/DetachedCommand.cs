using System.Globalization;
using System.Text.Json;
using Crossfade.Agent.Instances;

namespace Crossfade.Agent.Steps;

/// <summary>How a detached command ended: its exit code, or why nobody can know it.</summary>
public sealed record CommandOutcome(int? ExitCode, string? Unknown)
{
    public static CommandOutcome Exited(int code) => new(code, null);

    public static CommandOutcome NotKnown(string why) => new(null, why);
}

/// <summary>
/// A command a step must run at most once (a migration), run so that a restarted agent can tell what
/// became of it instead of running it again. Its folder <c>&lt;agent root&gt;/steps/&lt;step id&gt;/</c> holds:
/// <c>started.json</c>, written before it runs (the command and when); <c>wrapper.pid</c>, written by its
/// wrapper shell as its first act; <c>process.json</c>, its PID and start time, once the agent has it;
/// <c>output.log</c>, everything it writes; <c>exit</c>, its exit code, written by its own wrapper shell
/// when it ends (renamed into place, so it is whole or absent). The command runs
/// in its own session and process group, so it outlives the agent and a timeout stops all of it.
/// </summary>
public sealed class DetachedCommand(string root, long stepId)
{
    private readonly string _dir = Path.Combine(root, "steps", stepId.ToString(CultureInfo.InvariantCulture));

    private string Started => Path.Combine(_dir, "started.json");
    private string ProcessFile => Path.Combine(_dir, "process.json");
    private string Output => Path.Combine(_dir, "output.log");
    private string Exit => Path.Combine(_dir, "exit");
    private string WrapperPid => Path.Combine(_dir, "wrapper.pid");

    /// <summary>Whether an agent process started this step's command before (this one, or one before a restart).</summary>
    public bool WasStarted => File.Exists(Started);

    /// <summary>Runs the command, or — when it was started before — finds out how it ended, waiting for it if it still runs.</summary>
    public async Task<CommandOutcome> RunOrResumeAsync(
        string app, string command, string workingDirectory, IReadOnlyDictionary<string, string> env, StepLog log, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        ProcessRef? process;
        // The bound runs from the command's recorded start, so a restarted agent does not give it a new one.
        var deadline = time.GetUtcNow() + timeout;
        if (WasStarted)
        {
            if (ReadStart() is { } start)
                deadline = start.StartedAt + timeout;
            log.Write("this step's command was started before the agent restarted; it is not run again");
            process = Adopt();
            if (process is null && !File.Exists(Exit))
                return CommandOutcome.NotKnown(
                    "the agent stopped while the command ran, and the command is gone without recording how it ended; it was not run again. "
                    + $"Check what it did (its output: {Output}) before deploying again");
        }
        else
        {
            Directory.CreateDirectory(_dir);
            await File.WriteAllTextAsync(Started, JsonSerializer.Serialize(new StartRecord(app, command, time.GetUtcNow())), ct);
            process = Processes.Start(Wrapper(command), workingDirectory, env, Output);
            await File.WriteAllTextAsync(ProcessFile, JsonSerializer.Serialize(process), ct);
        }
        return await WaitAsync(process, log, deadline, timeout, time, ct);
    }

    private StartRecord? ReadStart()
    {
        try
        {
            return JsonSerializer.Deserialize<StartRecord>(File.ReadAllText(Started));
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The wrapper shell: records its own PID, runs the command, then records its exit code; each file is
    /// written whole (write, then rename).
    /// </summary>
    private string Wrapper(string command) =>
        $"/bin/sh -c {Processes.Quote("echo $$ > \"$3.tmp\" && mv \"$3.tmp\" \"$3\"; /bin/sh -c \"$1\"; code=$?; echo $code > \"$2.tmp\" && mv \"$2.tmp\" \"$2\"; exit $code")} "
        + $"crossfade-step {Processes.Quote(command)} {Processes.Quote(Exit)} {Processes.Quote(WrapperPid)}";

    /// <summary>
    /// The command started before, if it still runs: by the PID and start time the agent recorded; else
    /// (the agent stopped before it recorded them) by the PID its wrapper wrote, if that process is still
    /// the wrapper; else (stopped before even that) by the wrapper's command line, which names this step.
    /// </summary>
    private ProcessRef? Adopt()
    {
        if (File.Exists(ProcessFile) && JsonSerializer.Deserialize<ProcessRef>(File.ReadAllText(ProcessFile)) is { } recorded)
            return Processes.IsAlive(recorded) ? recorded : null;
        if (File.Exists(WrapperPid) && int.TryParse(File.ReadAllText(WrapperPid).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var written))
            return ReadCommandLine(written).Contains(Exit, StringComparison.Ordinal) ? new ProcessRef(written, 0) : null;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out var pid) && ReadCommandLine(pid).Contains(Exit, StringComparison.Ordinal))
                return new ProcessRef(pid, 0);
        return null;
    }

    private static string ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private async Task<CommandOutcome> WaitAsync(ProcessRef? process, StepLog log, DateTimeOffset deadline, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        long shown = 0;
        while (true)
        {
            shown = Show(log, shown);
            if (ReadExit() is { } code)
                return CommandOutcome.Exited(code);
            if (!Processes.IsAlive(process))
            {
                // It may have recorded its exit just before it went.
                if (ReadExit() is { } last)
                {
                    Show(log, shown);
                    return CommandOutcome.Exited(last);
                }
                return CommandOutcome.NotKnown($"the command ended without recording its exit code (killed?); its output: {Output}");
            }
            if (time.GetUtcNow() > deadline)
            {
                // Its own process group: the command and all it started go together.
                Native.Kill(-process!.Pid, Native.SIGKILL);
                log.Write($"killed after {timeout.TotalSeconds:0}s");
                return CommandOutcome.Exited(-1);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
    }

    private int? ReadExit()
    {
        try
        {
            return File.Exists(Exit) && int.TryParse(File.ReadAllText(Exit).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Sends the output written since <paramref name="from"/> to the step log, whole lines only; returns where it stopped.</summary>
    private long Show(StepLog log, long from)
    {
        if (!File.Exists(Output))
            return from;
        using var stream = new FileStream(Output, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length <= from)
            return from;
        stream.Position = from;
        var buffer = new byte[stream.Length - from];
        stream.ReadExactly(buffer);
        var end = Array.LastIndexOf(buffer, (byte)'\n');
        if (end < 0)
            return from;
        foreach (var line in System.Text.Encoding.UTF8.GetString(buffer, 0, end).Split('\n'))
            log.Write(line);
        return from + end + 1;
    }

    private sealed record StartRecord(string App, string Command, DateTimeOffset StartedAt);

    /// <summary>
    /// Another step's command for <paramref name="app"/> that still runs (its server gave up on it, say,
    /// and a later deploy asks again), as "step N (pid P)"; null when there is none. A migration is never
    /// started beside one still running.
    /// </summary>
    public static string? StillRunning(string root, string app)
    {
        var steps = Path.Combine(root, "steps");
        if (!Directory.Exists(steps))
            return null;
        foreach (var dir in Directory.EnumerateDirectories(steps))
        {
            try
            {
                var started = Path.Combine(dir, "started.json");
                var process = Path.Combine(dir, "process.json");
                if (File.Exists(Path.Combine(dir, "exit")) || !File.Exists(started) || !File.Exists(process)
                    || JsonSerializer.Deserialize<StartRecord>(File.ReadAllText(started))?.App != app)
                    continue;
                if (JsonSerializer.Deserialize<ProcessRef>(File.ReadAllText(process)) is { } running && Processes.IsAlive(running))
                    return $"step {Path.GetFileName(dir)} (pid {running.Pid})";
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                // A record cut short belongs to no running command this agent can prove.
            }
        }
        return null;
    }

    /// <summary>Removes the folders of all but the newest <paramref name="keep"/> steps.</summary>
    public static void Prune(string root, int keep)
    {
        var steps = Path.Combine(root, "steps");
        if (!Directory.Exists(steps))
            return;
        // Only ended ones: a folder without an exit is a command that may still run, or whose end nobody knows.
        foreach (var old in new DirectoryInfo(steps).GetDirectories().OrderByDescending(d => d.CreationTimeUtc).Skip(keep)
            .Where(d => File.Exists(Path.Combine(d.FullName, "exit"))))
            old.Delete(recursive: true);
    }
}
