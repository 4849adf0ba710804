using System.Diagnostics;

namespace Crossfade.Core.Builds;

/// <summary>
/// Runs a program of a build in its own process group, each output line to a callback,
/// within a deadline. Whatever the build left running (a compiler server, a daemon started by a test)
/// is killed with its group when the program ends, so nothing outlives a build and no pipe held open
/// by a leftover process keeps the build from ending.
/// </summary>
public static class BuildShell
{
    public static async Task<int> RunAsync(
        string program, IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> env,
        Action<string> output, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var info = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(program);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        // Only what a build needs of the server's environment: never its tokens or settings.
        info.Environment.Clear();
        foreach (var name in PassedOn)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
                info.Environment[name] = value;
        }
        foreach (var (key, value) in env)
            info.Environment[key] = value;
        using var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult();
        // A null line is the end of a stream: every line before it has been handed on.
        var outEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => { if (e.Data is null) outEnded.TrySetResult(); else output(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is null) errEnded.TrySetResult(); else output(e.Data); };
        using var deadline = new CancellationTokenSource(timeout > TimeSpan.Zero ? timeout : TimeSpan.FromSeconds(1), time);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            await exited.Task.WaitAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            KillGroup(process.Id);
            await exited.Task.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            output(ct.IsCancellationRequested ? "stopped: the build was called off (its server stopped, or stopped waiting for it)" : $"killed after {timeout.TotalSeconds:0} s (the build's timeout)");
            return -1;
        }
        KillGroup(process.Id);
        // The last lines still in the pipes, now that nothing else holds them open (bounded: a process
        // that left the group may still hold one).
        await Task.WhenAll(outEnded.Task, errEnded.Task).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        return process.ExitCode;
    }

    private static readonly string[] PassedOn = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DOTNET_ROOT", "NUGET_PACKAGES", "SSH_AUTH_SOCK", "http_proxy", "https_proxy", "no_proxy"];

    private static void KillGroup(int pid)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-KILL", "--", $"-{pid}"]) { UseShellExecute = false, RedirectStandardError = true });
            kill?.WaitForExit(5000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No 'kill' on this system: the process itself has ended; leftovers, if any, stay.
        }
    }
}
