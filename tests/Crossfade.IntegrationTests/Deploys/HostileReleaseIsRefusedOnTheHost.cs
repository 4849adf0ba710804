using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Crossfade.Contracts.V1;
using Microsoft.Data.Sqlite;

namespace Crossfade.IntegrationTests.Deploys;

/// <summary>
/// An archive that leaves its folder through a chain of links reaches the hosts (planted in the
/// server's store behind the server's own push-time check, as a compromised store would): every agent
/// refuses it while unpacking, writes nothing anywhere, keeps running, and the fleet stays on its release.
/// </summary>
public sealed class HostileReleaseIsRefusedOnTheHost
{
    [Fact]
    public async Task LinkChainPlantedInTheStore_IsRefusedByEveryAgent_NothingWrittenOutside()
    {
        await using var fleet = await Fleet.StartAsync(nameof(HostileReleaseIsRefusedOnTheHost));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var hostile = Hostile();
        var sha = Convert.ToHexStringLower(SHA256.HashData(hostile));
        var server = Path.Combine(fleet.Local.Dir, "server");
        await File.WriteAllBytesAsync(Path.Combine(server, "artifacts", "sha256", sha), hostile);
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(server, "crossfade.db")}"))
        {
            await db.OpenAsync();
            var update = db.CreateCommand();
            update.CommandText = "UPDATE releases SET sha256 = $sha, size_bytes = $size WHERE app = 'gear-shop' AND version = '2.0.0'";
            update.Parameters.AddWithValue("$sha", sha);
            update.Parameters.AddWithValue("$size", hostile.Length);
            (await update.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        // The hostile archive holds no configuration for the server to read: deploy without one.
        await fleet.ReapplyAsync(spec => System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(spec, @"\nconfig:\n(  .*\n)+", "\n"), @"\n    variables:\n(      .*\n)+", "\n"));
        var agents = fleet.Local.Hosts.ToDictionary(h => h.Name, h => fleet.Local.AgentPid(h.Name));

        var deploy = await fleet.DeployAsync("2.0.0");

        deploy.State.ShouldBe(DeployState.Aborted);
        deploy.Reason.ShouldNotBeNull();
        deploy.Reason.ShouldContain("entry 'a/b': passes through the link 'a'");
        Directory.EnumerateFiles(fleet.Local.Dir, "escaped-*", SearchOption.AllDirectories).ShouldBeEmpty();
        foreach (var host in fleet.Local.Hosts)
        {
            var releases = Path.Combine(fleet.Local.AgentRoot(host.Name), "apps", Fleet.App, "releases");
            Directory.GetDirectories(releases).Select(Path.GetFileName).ShouldBe(["1.0.0"], host.Name);
            ProcessAlive(agents[host.Name]).ShouldBeTrue($"{host.Name}'s agent died");
        }
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
        var hosts = await fleet.Api.HostsAsync(CancellationToken.None);
        hosts.ShouldAllBe(h => h.Online);
    }

    private static bool ProcessAlive(int pid)
    {
        try
        {
            return !System.Diagnostics.Process.GetProcessById(pid).HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>'a' → '.', 'a/b' → '..': each harmless alone; then a file written through both lands above the release.</summary>
    private static byte[] Hostile()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "GearShop.dll") { DataStream = new MemoryStream("not an app"u8.ToArray()) });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "a") { LinkName = "." });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "a/b") { LinkName = ".." });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "a/b/escaped-by-the-archive") { DataStream = new MemoryStream("out"u8.ToArray()) });
        }
        return buffer.ToArray();
    }
}
