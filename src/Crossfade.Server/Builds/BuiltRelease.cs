using Crossfade.Server.Storage;

namespace Crossfade.Server.Builds;

/// <summary>
/// Records the archive a build made (already checked and stored under its hash) as the app's release of the
/// build's version, with its commit and subject; a release of that version from the same commit is taken as
/// it is, one from anything else is a failure.
/// </summary>
public static class BuiltRelease
{
    public static async Task<(ReleaseRecord? Release, string? Failure)> RecordAsync(
        IStore store, BuildRecord build, string sha256, long size, TimeProvider time, Action<string> log)
    {
        var release = new ReleaseRecord(build.App, build.Version!, sha256, size, build.Sha, build.Message, build.RequestedBy, time.GetUtcNow());
        if (await store.AddReleaseAsync(release, CancellationToken.None))
        {
            log($"released {release.Version}: {size / 1024} KiB, sha256 {sha256}");
            return (release, null);
        }
        var existing = (await store.GetReleaseAsync(build.App, build.Version!, CancellationToken.None))!;
        if (existing.Commit != build.Sha)
            return (null, $"release {build.Version} exists already, built from {existing.Commit ?? "an upload"}, not {build.Sha}");
        log($"release {build.Version} of this commit exists already ({existing.Sha256[..12]}); it is the one deployed");
        return (existing, null);
    }
}
