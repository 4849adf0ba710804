using System.Diagnostics;
using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

/// <remarks>Fills one host's disk for real with a 512 KiB tmpfs over its download folder; needs root, as CI has.</remarks>
public sealed class DeployAbortsWhenAHostsDiskIsFull
{
    [Fact]
    public async Task FullDiskOnOneHost_FailsItsPrepareAtOnce_FleetStaysOnTheOldRelease_NeedsRootForTmpfs()
    {
        await using var fleet = await Fleet.StartAsync(nameof(DeployAbortsWhenAHostsDiskIsFull));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var downloads = Path.Combine(fleet.Local.AgentRoot("web-2"), "apps", Fleet.App, ".downloads");
        Directory.CreateDirectory(downloads);
        Run("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", downloads);
        try
        {
            var clock = Stopwatch.StartNew();
            var done = await fleet.DeployAsync("2.0.0");

            done.State.ShouldBe(DeployState.Aborted);
            done.Reason.ShouldNotBeNull();
            done.Reason.ShouldContain("web-2: prepare failed: the host's disk is full");
            done.Reason.ShouldContain("the fleet still serves 1.0.0");
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "a full disk is not retried like a network blip");
            Directory.GetFiles(downloads).ShouldBeEmpty("the partial download is removed");
            Directory.Exists(Path.Combine(fleet.Local.AgentRoot("web-2"), "apps", Fleet.App, "releases", "2.0.0")).ShouldBeFalse();
            (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
        }
        finally
        {
            Run("umount", downloads);
        }
    }

    private static void Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, $"{command} {string.Join(' ', args)} failed (this test needs root): {error}");
    }
}
