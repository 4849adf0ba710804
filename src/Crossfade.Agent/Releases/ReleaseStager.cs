using Crossfade.Agent.Hosting;
using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;
using Crossfade.Core.Artifacts;

namespace Crossfade.Agent.Releases;

/// <summary>
/// Puts a release on this host: download, verify its SHA-256, unpack all-or-nothing into
/// <c>releases/&lt;version&gt;</c>, link shared paths. A release on disk is reused, never rewritten.
/// </summary>
public sealed class ReleaseStager(ServerClient server, TimeProvider time)
{
    /// <returns>null when the release is ready, otherwise why not.</returns>
    public async Task<string?> StageAsync(HostLayout layout, StepPayload payload, StepLog log, CancellationToken ct)
    {
        Directory.CreateDirectory(layout.Releases);
        Directory.CreateDirectory(layout.Logs);
        var target = layout.Release(payload.Version);
        if (Directory.Exists(target) && !File.Exists(layout.Marker(payload.Version)) && !IsCurrent(layout, payload.Version))
        {
            // Unpacked and renamed into place, but the agent died before it linked the shared paths
            // and wrote the marker: a staging that never finished, never used. It is done again.
            log.Write($"releases/{payload.Version} was left half-staged by an interrupted prepare; staging it again");
            Directory.Delete(target, recursive: true);
        }
        if (Directory.Exists(target))
        {
            var stored = File.Exists(layout.Marker(payload.Version)) ? (await File.ReadAllTextAsync(layout.Marker(payload.Version), ct)).Trim() : "";
            if (stored == payload.Sha256)
            {
                log.Write($"release {payload.Version} is on disk already (sha256 {payload.Sha256[..12]})");
                return null;
            }
            return $"releases/{payload.Version} exists with other content (sha256 {(stored.Length >= 12 ? stored[..12] : "unknown")}, expected {payload.Sha256[..12]})";
        }
        Directory.CreateDirectory(layout.Downloads);
        var archive = Path.Combine(layout.Downloads, payload.Sha256 + ".tar.gz");
        log.Write($"downloading artifact {payload.Sha256[..12]}");
        var downloaded = await DownloadWithRetriesAsync(payload.Sha256, archive, log, ct);
        if (downloaded is not null)
            return downloaded;
        var actual = await Sha256Hex.OfFileAsync(archive, ct);
        if (actual != payload.Sha256)
        {
            File.Delete(archive);
            return $"artifact hash mismatch: expected sha256 {payload.Sha256}, got {actual}; nothing was unpacked";
        }
        log.Write($"verified sha256 {actual[..12]} ({new FileInfo(archive).Length} bytes)");
        var limits = payload.Archive is { } bounds
            ? new ArchiveLimits { MaxUnpackedBytes = bounds.MaxUnpackedBytes, MaxEntries = bounds.MaxEntries }
            : ArchiveLimits.Default;
        var error = ArchiveUnpacker.Unpack(archive, target, limits);
        File.Delete(archive);
        if (error is not null)
            return error;
        LinkShared(layout, target, payload.Runtime.SharedPaths, log);
        await File.WriteAllTextAsync(layout.Marker(payload.Version), payload.Sha256, ct);
        log.Write($"unpacked into releases/{payload.Version}");
        return null;
    }

    private static bool IsCurrent(HostLayout layout, string version) =>
        new FileInfo(layout.Current).LinkTarget is { } link && Path.GetFileName(link.TrimEnd('/')) == version;

    /// <summary>A server restart or a network blip mid-download is retried (about a minute) before the step fails.</summary>
    private async Task<string?> DownloadWithRetriesAsync(string sha256, string path, StepLog log, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await server.DownloadAsync(sha256, path, ct);
                return null;
            }
            catch (Exception ex) when (DiskFull(ex) is { } full)
            {
                File.Delete(path);
                return $"the host's disk is full: {full.Message} (downloading artifact {sha256[..12]} into {Path.GetDirectoryName(path)}); nothing was unpacked";
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                File.Delete(path);
                if (attempt >= 12)
                    return $"could not download artifact {sha256[..12]} after {attempt} attempts: {ex.Message}";
                log.Write($"download interrupted ({ex.Message}); retrying");
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, attempt)), time, ct);
            }
        }
    }

    /// <summary>
    /// ENOSPC, however deep it is wrapped (HttpContent.CopyToAsync wraps it in an HttpRequestException):
    /// no retry helps, so it fails the step at once.
    /// </summary>
    private static IOException? DiskFull(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
            if (ex is IOException io && (io.HResult == 28 || io.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)))
                return io;
        return null;
    }

    private static void LinkShared(HostLayout layout, string release, IReadOnlyList<string> paths, StepLog log)
    {
        foreach (var relative in paths)
        {
            var shared = Path.Combine(layout.Shared, relative);
            Directory.CreateDirectory(shared);
            var inRelease = Path.Combine(release, relative);
            if (Directory.Exists(inRelease))
                Directory.Delete(inRelease, recursive: true);
            else if (File.Exists(inRelease))
                File.Delete(inRelease);
            Directory.CreateDirectory(Path.GetDirectoryName(inRelease)!);
            Directory.CreateSymbolicLink(inRelease, shared);
            log.Write($"linked {relative} -> shared/{relative}");
        }
    }

    /// <summary>Removes all but the newest releases, never one that is in use.</summary>
    public static void Prune(HostLayout layout, int keep, IReadOnlySet<string> inUse, StepLog log)
    {
        var releases = new DirectoryInfo(layout.Releases).GetDirectories()
            .Where(d => !d.Name.Contains(".unpacking-"))
            .OrderByDescending(d => d.CreationTimeUtc)
            .ToList();
        foreach (var old in releases.Skip(keep).Where(d => !inUse.Contains(d.Name)))
        {
            old.Delete(recursive: true);
            File.Delete(layout.Marker(old.Name));
            log.Write($"removed old release {old.Name}");
        }
    }

    /// <summary>Points <c>current</c> at a release in one rename, so it is never missing.</summary>
    public static void PointCurrent(HostLayout layout, string version)
    {
        var temp = layout.Current + ".next";
        if (File.Exists(temp) || new FileInfo(temp).LinkTarget is not null)
            File.Delete(temp);
        File.CreateSymbolicLink(temp, Path.Combine("releases", version));
        // rename(2) replaces the old link in one step; File.Move would follow the links instead.
        if (Instances.Native.Rename(temp, layout.Current) != 0)
            throw new IOException($"could not point current at releases/{version} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
    }
}
