using System.Diagnostics;

namespace Crossfade.IntegrationTests.Hosts;

/// <summary>The real <c>crossfade</c> CLI run as a process, with only the environment a test gives it.</summary>
public static class CliProcess
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, IReadOnlyDictionary<string, string> env, string? input = null, string? workingDirectory = null)
    {
        var self = Crossfade.Cli.SelfCommand.Get();
        var info = new ProcessStartInfo(self[0]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in self.Skip(1).Concat(args))
            info.ArgumentList.Add(a);
        foreach (var name in new[] { "CROSSFADE_SERVER", "CROSSFADE_TOKEN", "CROSSFADE_FINGERPRINT" })
            info.Environment.Remove(name);
        foreach (var (name, value) in env)
            info.Environment[name] = value;
        if (workingDirectory is not null)
            info.WorkingDirectory = workingDirectory;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
            await process.StandardInput.WriteLineAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
