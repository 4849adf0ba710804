using System.Formats.Tar;

namespace Crossfade.Core.Artifacts;

/// <summary>
/// Reads a release archive (tar, gzip-compressed) without writing anything and lists every reason it
/// may not be unpacked: a path that leaves the folder, a link that resolves outside (directly or
/// through other links), an entry written through a link or over another, a hard link to anything but
/// an earlier file, devices and pipes, and the bounds of <see cref="ArchiveLimits"/>.
/// </summary>
public static class ArchiveCheck
{
    /// <summary>Returns every problem found (at most 20); an empty list means the archive may be unpacked.</summary>
    public static IReadOnlyList<string> Inspect(Stream gzipTar, ArchiveLimits? limits = null) =>
        ArchiveWalk.Run(gzipTar, limits ?? ArchiveLimits.Default, NoSink.Instance, maxProblems: 20);

    private sealed class NoSink : IArchiveSink
    {
        public static readonly NoSink Instance = new();
        public void Directory(string[] path) { }
        public void File(string[] path, TarEntry entry) { }
        public void Link(string[] path, string target) { }
        public void HardLink(string[] path, string[] target) { }
    }
}
