using System.Formats.Tar;
using System.IO.Compression;

namespace Crossfade.Core.Artifacts;

/// <summary>Packs a folder into a gzip-compressed tar, entries in a stable order so equal folders hash equally.</summary>
public static class ArchivePacker
{
    public static void Pack(string folder, Stream output)
    {
        var root = Path.GetFullPath(folder);
        using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
        using var writer = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        foreach (var relative in files)
        {
            var full = Path.Combine(root, relative);
            var info = new FileInfo(full);
            if (info.LinkTarget is { } link)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, relative) { LinkName = link, ModificationTime = DateTimeOffset.UnixEpoch });
                continue;
            }
            using var data = File.OpenRead(full);
            var entry = new PaxTarEntry(TarEntryType.RegularFile, relative)
            {
                DataStream = data,
                Mode = info.UnixFileMode,
                ModificationTime = DateTimeOffset.UnixEpoch,
            };
            writer.WriteEntry(entry);
        }
    }
}
