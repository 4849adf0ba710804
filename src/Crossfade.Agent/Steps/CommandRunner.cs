using System.Diagnostics;

namespace Crossfade.Agent.Steps;

/// <summary>Runs a shell command to completion, sending each output line to the step log.</summary>
public static class CommandRunner
{
    public static async Task<int> RunAsync(
        string command, string workingDirectory, IReadOnlyDictionary<string, string> env, StepLog log, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        foreach (var (key, value) in env)
            info.Environment[key] = value;
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Write(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Write(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timedOut = new CancellationTokenSource(timeout, time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, timedOut.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            log.Write($"killed after {timeout.TotalSeconds:0}s");
            return -1;
        }
        process.WaitForExit();
        return process.ExitCode;
    }
}
