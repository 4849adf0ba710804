using System.Diagnostics;
using Crossfade.Demo;

namespace Crossfade.IntegrationTests.Launcher;

/// <summary>
/// <c>./crossfade</c> rebuilds only when a source changed: files a build generates under <c>obj/</c>
/// (newer than the last build, after any <c>dotnet build</c>) are not sources.
/// </summary>
public sealed class LauncherStartsAtOnceWhenUpToDate
{
    [Fact]
    public async Task SecondCall_AfterGeneratedFilesChanged_BuildsNothing()
    {
        var root = RepoPaths.Root()!;
        await RunAsync(root); // builds whatever is out of date (test.sh has run it once already)
        foreach (var obj in new[] { Path.Combine(root, "src", "Crossfade", "obj"), Path.Combine(root, "examples", "gear-shop", "obj") })
        {
            var generated = Directory.EnumerateFiles(obj, "*.cs", SearchOption.AllDirectories).First();
            File.SetLastWriteTimeUtc(generated, DateTime.UtcNow.AddSeconds(1));
        }

        var (exit, stderr, elapsed) = await RunAsync(root);

        exit.ShouldBe(0, stderr);
        stderr.ShouldNotContain("building");
        // Not a timing assertion: printed so a slow start is visible in the test log.
        Console.WriteLine($"./crossfade --version took {elapsed.TotalMilliseconds:0} ms when up to date");
    }

    private static async Task<(int Exit, string Stderr, TimeSpan Elapsed)> RunAsync(string root)
    {
        var started = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo(Path.Combine(root, "crossfade"), "--version")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = root,
        })!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stderr, started.Elapsed);
    }
}
